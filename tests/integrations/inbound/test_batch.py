"""A worker's batch: new requests from residents known by their account, opened set-wise,
next to events that take the one-by-one path — each with every effect of a single one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case, CaseStatusChange
from crm_core.channels import Channel
from crm_core.interactions.enums import Outcome
from crm_core.interactions.models import Interaction
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.models import AccessLog
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import AccountLink, Resident
from integrations.inbound.deferred import InboxReport, process_pending
from integrations.models import ExternalCaseState, InboxEvent, ResidentReview
from tests.integrations.conftest import (
    OLD_SECRET,
    SECRET,
    connector_settings,
    event_body,
    post_signed,
)
from tests.support.clock import PHONE_REGION, city_zone


def _after_the_creation() -> str:
    """An update's own time, after the creation's (which is stamped on arrival, now): a
    fixed date in the future would turn the update stale once that date has passed."""
    return (datetime.now(UTC) + timedelta(minutes=5)).isoformat()


@pytest.fixture(autouse=True)
def _deferred_portal(configure: Callable[..., None], factories: ModuleType) -> None:
    configure({"portail": {"kind": "standard", "secrets": [SECRET, OLD_SECRET],
                           "deferred": True}})
    factories.ServiceFactory(code="etat-civil", label="État civil", announced_delay_days=10)


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def _linked(db_session: Session, factories: ModuleType, subject: str) -> Resident:
    resident = factories.ResidentFactory()
    db_session.add(AccountLink(resident_id=resident.id, provider="compte-unique",
                               subject=subject))
    db_session.flush()
    return resident  # type: ignore[no-any-return]


def _send(client: TestClient, n: int, body: bytes) -> None:
    answer = post_signed(client, "portail", body, msg_id=f"msg_{n}")
    assert answer.status_code == 202, answer.text


def _work(db_session: Session) -> InboxReport:
    return process_pending(db_session=db_session, settings=connector_settings(db_session),
                           timezone=city_zone(), phone_region=PHONE_REGION)


def _count(db_session: Session, model: type, *where: Any) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_batch_of_known_residents_opens_every_case_with_all_its_records(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    residents = [_linked(db_session, factories, f"sub-{n}") for n in range(5)]
    for n in range(5):
        _send(client, n, event_body(f"D-{n}", account={"subject": f"sub-{n}"}))
    report = _work(db_session)
    assert (report.claimed, report.processed, report.outcomes) == (5, 5, ["created"] * 5)
    opened = {str(c.external_id): c for c in db_session.scalars(select(Case))}
    assert sorted(opened) == [f"D-{n}" for n in range(5)]
    assert len({c.reference for c in opened.values()}) == 5
    for n, resident in enumerate(residents):
        case = opened[f"D-{n}"]
        assert case.resident_id == resident.id and case.status is CaseStatus.NEW
        assert case.origin_channel is Channel.WEB and case.external_system == "portail"
        assert case.due_date is not None
        [entry] = db_session.scalars(select(Interaction).where(Interaction.case_id == case.id))
        assert entry.outcome is Outcome.SUBMITTED_ONLINE and entry.note == "Copie intégrale"
        [change] = db_session.scalars(select(CaseStatusChange).where(
            CaseStatusChange.case_id == case.id))
        assert change.to_status is CaseStatus.NEW and change.interaction_id == entry.id
        assert _count(db_session, AccessLog, AccessLog.resident_id == resident.id,
                      AccessLog.operation == AccessOperation.OPEN_CASE) == 1
        assert db_session.get(ExternalCaseState, case.id) is not None
    rows = db_session.scalars(select(InboxEvent)).all()
    assert all(r.payload is None and r.processed_at and r.case_id for r in rows)
    assert {r.case_id for r in rows} == {c.id for c in opened.values()}


def test_the_batch_costs_the_same_statements_for_two_events_or_ten(
    client: TestClient, db_session: Session, factories: ModuleType, statements: list[str]
) -> None:
    costs = []
    for size, offset in ((2, 0), (10, 100)):
        for n in range(offset, offset + size):
            _linked(db_session, factories, f"sub-{n}")
            _send(client, n, event_body(f"D-{n}", account={"subject": f"sub-{n}"}))
        db_session.expunge_all()
        statements.clear()
        assert _work(db_session).processed == size
        costs.append(len(statements))
    assert costs[0] == costs[1], costs


def test_other_events_of_the_batch_take_the_one_by_one_path_in_order(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    known = _linked(db_session, factories, "sub-known")
    _send(client, 1, event_body("D-OLD", account={"subject": "sub-known"}))
    assert _work(db_session).outcomes == ["created"]
    _send(client, 2, event_body("D-A", account={"subject": "sub-known"}))  # set-wise
    _send(client, 3, event_body("D-B", email="nouvelle@example.fr",  # nobody known
                                given_name="Zoé", family_name="Nouvelle"))
    _send(client, 4, event_body("D-OLD", type_="case.updated", status="in_progress",
                                account={"subject": "sub-known"},
                                updated_at=_after_the_creation()))
    _send(client, 5, event_body("D-C", account={"subject": "sub-known"}))  # twin ids:
    _send(client, 6, event_body("D-C", type_="case.updated", status="in_progress",
                                account={"subject": "sub-known"},
                                updated_at=_after_the_creation()))  # in order
    _send(client, 7, event_body("D-D", service="inconnu", account={"subject": "sub-known"}))
    report = _work(db_session)
    assert (report.claimed, report.processed, report.refused) == (6, 5, 1)
    by_id = {c.external_id: c for c in db_session.scalars(select(Case))}
    assert by_id["D-A"].resident_id == known.id
    assert by_id["D-OLD"].status is CaseStatus.IN_PROGRESS
    assert by_id["D-C"].status is CaseStatus.IN_PROGRESS
    assert "D-D" not in by_id
    assert _count(db_session, ResidentReview) == 1  # Zoé, created for review
    refused = db_session.scalar(select(InboxEvent).where(InboxEvent.event_id == "msg_7"))
    assert refused is not None and refused.error and "inconnu" in refused.error


def test_a_merged_resident_is_left_to_the_full_path_which_follows_the_merge(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    survivor = factories.ResidentFactory()
    merged = _linked(db_session, factories, "sub-merged")
    merged.status, merged.merged_into_id = ResidentStatus.MERGED, survivor.id
    db_session.flush()
    _send(client, 1, event_body("D-M", account={"subject": "sub-merged"}))
    assert _work(db_session).outcomes == ["created"]
    case = db_session.scalar(select(Case).where(Case.external_id == "D-M"))
    assert case is not None and case.resident_id == survivor.id


def test_a_case_opened_meanwhile_sends_the_batch_the_one_by_one_way(
    client: TestClient, db_session: Session, factories: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another worker (or a synchronous source) opened one of the requests between the
    look-up and the flush: the set-wise savepoint is refused whole, nothing of it stays,
    and each event is applied one by one (the twin's, with nothing new to say,
    acknowledged as unchanged: no status we follow, no note)."""
    from integrations.inbound import batch

    resident = _linked(db_session, factories, "sub-race")
    for n in range(3):
        _send(client, n, event_body(f"D-R{n}", account={"subject": "sub-race"}))
    real = batch._held_externals
    calls: list[int] = []

    def racing(session: Session, items: Any) -> set[tuple[str, str]]:
        held = real(session, items)
        if not calls:  # the twin lands right after our look-up
            factories.CaseFactory(resident=resident, external_system="portail",
                                  external_id="D-R1")
            session.flush()
        calls.append(1)
        return held

    monkeypatch.setattr(batch, "_held_externals", racing)
    report = _work(db_session)
    assert (report.processed, report.refused) == (3, 0)
    assert sorted(report.outcomes) == ["created", "created", "unchanged"]
    assert _count(db_session, Case, Case.external_id.in_(["D-R0", "D-R1", "D-R2"])) == 3
    assert _count(db_session, Interaction) == 2  # nothing left of the refused savepoint
