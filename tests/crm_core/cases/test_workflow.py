from __future__ import annotations

import pytest

from crm_core.cases.enums import CaseStatus
from crm_core.cases.workflow import InvalidTransition, allowed_next, check_transition

S = CaseStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.NEW, S.IN_PROGRESS), (S.IN_PROGRESS, S.WAITING_RESIDENT),
        (S.WAITING_RESIDENT, S.RESOLVED), (S.RESOLVED, S.CLOSED),
        (S.CLOSED, S.IN_PROGRESS), (S.RESOLVED, S.IN_PROGRESS), (S.NEW, S.CLOSED),
    ],
)
def test_allowed_transitions(current: CaseStatus, target: CaseStatus) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.IN_PROGRESS, S.NEW), (S.CLOSED, S.RESOLVED), (S.CLOSED, S.CLOSED),
        (S.RESOLVED, S.WAITING_RESIDENT), (S.NEW, S.NEW),
    ],
)
def test_refused_transitions_say_what_is_possible(current: CaseStatus, target: CaseStatus) -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition(current, target)
    assert caught.value.extra["allowed"] == [s.value for s in allowed_next(current)]
    assert "ne peut pas passer" in caught.value.detail


def test_nothing_goes_back_to_new() -> None:
    assert all(S.NEW not in allowed_next(status) for status in S)
