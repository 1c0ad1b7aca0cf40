"""A case named by its reference is found as a lookup finds a person: reading it or
changing it is stopped by the lookup lock and the per-agent limit, an unknown reference
counts as a lookup that found nobody, and a bad request answers the same whether the
reference exists or not (outside test of issue 20)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.cases import reference as refs
from crm_core.interactions.models import Interaction
from tests.support.finds import limit_finds, lock_out

Headers = Callable[[Role], dict[str, str]]


def _references(db_session: Session, factories: ModuleType) -> tuple[str, str]:
    """One reference of a case, one well formed that names nothing."""
    case = factories.CaseFactory()
    db_session.commit()  # out of reach of a route that rolls back
    return case.reference, refs.format_reference(refs.generate())


def test_a_locked_agent_cannot_change_a_case_and_learns_nothing(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    limit_finds(monkeypatch, request, misses=2)
    headers = as_role(Role.COUNTER)
    known, unknown = _references(db_session, factories)
    lock_out(client, headers, misses=2)
    answers = [client.patch(f"/api/v1/cases/{reference}", headers=headers,
                            json={"status": "in_progress", "note": "Pris en charge"})
               for reference in (known, unknown)]
    assert [a.status_code for a in answers] == [429, 429], answers[0].text
    same = [{k: v for k, v in a.json().items() if k != "retry_after"} for a in answers]
    assert same[0] == same[1]  # retry_after may tick by a second between the two
    assert abs(answers[0].json()["retry_after"] - answers[1].json()["retry_after"]) <= 1
    assert db_session.scalar(select(func.count()).select_from(Interaction)) == 0


def test_changing_cases_counts_towards_the_find_limit(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    limit_finds(monkeypatch, request, finds=2)
    headers = as_role(Role.COUNTER)
    known, _ = _references(db_session, factories)
    statuses = [client.patch(f"/api/v1/cases/{known}", headers=headers,
                             json={"note": f"Note {n}"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_unknown_references_count_as_lookups_finding_nobody(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    """Guessing references by changing or reading cases locks the agent, as guessing them
    by lookups does."""
    limit_finds(monkeypatch, request, misses=2)
    headers = as_role(Role.COUNTER)
    known, unknown = _references(db_session, factories)
    missed = client.patch(f"/api/v1/cases/{unknown}", headers=headers, json={"note": "?"})
    assert (missed.status_code, missed.json()["code"]) == (404, "case_not_found")
    assert client.get(f"/api/v1/cases/{unknown}", headers=headers).status_code == 404
    locked = client.patch(f"/api/v1/cases/{known}", headers=headers, json={"note": "Vu"})
    assert locked.status_code == 429, locked.text


def test_a_bad_change_answers_the_same_for_any_reference(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    headers = as_role(Role.COUNTER)
    known, unknown = _references(db_session, factories)
    answers = [client.patch(f"/api/v1/cases/{reference}", headers=headers, json={})
               for reference in (known, unknown)]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
    assert "statut ou une note" in answers[0].json()["detail"]
