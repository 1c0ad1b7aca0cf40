"""A deferred source: events verified and stored on receipt (202), applied by the worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case
from crm_core.interactions.models import Interaction
from crm_core.residents.models import Resident
from integrations.inbound.deferred import InboxReport, process_pending
from integrations.models import InboxEvent, ResidentReview
from tests.integrations.conftest import (
    OLD_SECRET,
    SECRET,
    connector_settings,
    event_body,
    post_signed,
)
from tests.support.clock import PHONE_REGION, city_zone


@pytest.fixture(autouse=True)
def _deferred_portal(configure: Callable[..., None], factories: ModuleType) -> None:
    configure({"portail": {"kind": "standard", "secrets": [SECRET, OLD_SECRET],
                           "deferred": True}})
    factories.ServiceFactory(code="etat-civil", label="État civil")


def _count(db_session: Session, model: type) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


def _work(db_session: Session) -> InboxReport:
    return process_pending(db_session=db_session, settings=connector_settings(db_session),
                           timezone=city_zone(), phone_region=PHONE_REGION)


def test_an_event_is_acknowledged_on_receipt_then_applied_by_the_worker(
    client: TestClient, db_session: Session
) -> None:
    body = event_body(email="camille@example.fr")
    accepted = post_signed(client, "portail", body)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert _count(db_session, Case) == 0  # nothing applied yet
    [row] = db_session.scalars(select(InboxEvent)).all()
    assert row.payload is not None and row.processed_at is None
    report = _work(db_session)
    assert (report.claimed, report.processed, report.outcomes) == (1, 1, ["created"])
    case = db_session.scalar(select(Case).where(Case.external_id == "DEM-1001"))
    assert case is not None and case.external_system == "portail"
    assert _count(db_session, Interaction) == 1
    assert _count(db_session, ResidentReview) == 1
    db_session.refresh(row)
    assert row.payload is None and row.error is None
    assert row.case_id == case.id
    assert row.processed_at is not None
    assert _work(db_session).claimed == 0  # applied once
    again = post_signed(client, "portail", body)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert again.json()["case_reference"] == case.reference


def test_a_redelivery_is_a_duplicate_and_a_reused_id_refused(
    client: TestClient, db_session: Session
) -> None:
    body = event_body()
    assert post_signed(client, "portail", body).status_code == 202
    early = post_signed(client, "portail", body)
    assert (early.status_code, early.json()["status"]) == (200, "duplicate")
    assert early.json()["case_reference"] is None  # not applied yet
    reused = post_signed(client, "portail", event_body("DEM-OTHER"))
    assert reused.status_code == 409, reused.text
    assert reused.headers["content-type"].startswith("application/problem+json")
    assert _count(db_session, InboxEvent) == 1
    _work(db_session)
    late = post_signed(client, "portail", body)
    case = db_session.scalar(select(Case))
    assert case is not None
    assert (late.status_code, late.json()["case_reference"]) == (200, case.reference)
    assert _count(db_session, Case) == 1


@pytest.mark.parametrize("secret", ["whsec_" + "A" * 40])
def test_bad_signatures_and_shapes_are_refused_on_receipt_with_nothing_stored(
    client: TestClient, db_session: Session, secret: str
) -> None:
    assert post_signed(client, "portail", event_body(), secret=secret).status_code == 401
    malformed = post_signed(client, "portail", b'{"type": "case.submitted"}', msg_id="msg_2")
    assert malformed.status_code == 422, malformed.text
    assert malformed.headers["content-type"].startswith("application/problem+json")
    assert post_signed(client, "portail", b"{not json", msg_id="msg_3").status_code == 422
    assert _count(db_session, InboxEvent) == 0


def test_an_event_refused_by_the_worker_is_recorded_and_spares_the_others(
    client: TestClient, db_session: Session
) -> None:
    assert post_signed(client, "portail", event_body("DEM-A"), msg_id="msg_a").status_code == 202
    unknown = event_body("DEM-B", service="inconnu", given_name="Alix")
    assert post_signed(client, "portail", unknown, msg_id="msg_b").status_code == 202
    assert post_signed(client, "portail", event_body("DEM-C"), msg_id="msg_c").status_code == 202
    report = _work(db_session)
    assert (report.processed, report.refused) == (2, 1)
    assert sorted(str(e) for e in db_session.scalars(select(Case.external_id))) == [
        "DEM-A", "DEM-C"]
    refused = db_session.scalar(select(InboxEvent).where(InboxEvent.event_id == "msg_b"))
    assert refused is not None
    assert refused.case_id is None and refused.payload is None and refused.error
    # the refused event's resident was not left behind (its savepoint was rolled back)
    assert db_session.scalar(select(Resident).where(Resident.given_name == "Alix")) is None


def test_updates_are_applied_in_order_and_older_ones_ignored(
    client: TestClient, db_session: Session
) -> None:
    post_signed(client, "portail", event_body(), msg_id="msg_1")
    # After the creation (stamped now), and not ahead of the clock: a platform's time in
    # the future is refused (it would make every later update look older).
    created = datetime.now(UTC)
    post_signed(client, "portail", event_body(
        type_="case.updated", status="in_progress",
        updated_at=(created + timedelta(minutes=4)).isoformat()), msg_id="msg_2")
    post_signed(client, "portail", event_body(
        type_="case.updated", status="closed",
        updated_at=(created + timedelta(minutes=3)).isoformat()), msg_id="msg_3")
    report = _work(db_session)
    assert report.outcomes == ["created", "updated", "stale"]
    case = db_session.scalar(select(Case))
    assert case is not None and case.status is CaseStatus.IN_PROGRESS


def test_an_event_not_yet_applied_outlives_the_retention(
    client: TestClient, db_session: Session
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from crm_core.database.base import utcnow
    from integrations.inbound.service import purge

    assert post_signed(client, "portail", event_body()).status_code == 202
    db_session.execute(update(InboxEvent).values(received_at=utcnow() - timedelta(hours=80)))
    assert purge(db_session=db_session, retention_hours=72) == 0
    assert _work(db_session).processed == 1
    assert purge(db_session=db_session, retention_hours=72) == 1
