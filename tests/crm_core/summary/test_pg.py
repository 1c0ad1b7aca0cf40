"""The one-statement summary on PostgreSQL gives the same document as the portable path."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM, Actor
from crm_core.agents.enums import Role
from crm_core.badges.enums import BadgeKind
from crm_core.badges.models import Badge
from crm_core.cases.enums import CaseStatus
from crm_core.channels import Channel
from crm_core.consent.service import set_consent
from crm_core.database.base import utcnow
from crm_core.privacy.enums import AccessOperation, ConsentPurpose, ConsentSource
from crm_core.privacy.models import AccessLog
from crm_core.residents.contacts import normalize_phone
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.schemas import ResidentSummary
from crm_core.summary.pg import read_summary_pg
from crm_core.summary.service import _flags, build_summary, read_summary
from tests.support.clock import city_day


@pytest.fixture
def pg_only(db_session: Session) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("the one-statement summary is PostgreSQL's")


def _typed(document: dict[str, Any]) -> dict[str, Any]:
    # Through the response model: instants spelled differently compare equal.
    return ResidentSummary.model_validate(document).model_dump()


def _badge(db_session: Session, resident_id: Any, **fields: Any) -> None:
    now = utcnow()
    values: dict[str, Any] = {"id": secrets.token_hex(16), "resident_id": resident_id,
                              "kind": BadgeKind.QR, "issued_at": now,
                              "expires_at": now + timedelta(days=365)} | fields
    db_session.add(Badge(**values))


def _rich_resident(db_session: Session, factories: ModuleType) -> Any:
    resident = factories.ResidentFactory(given_name="Élodie", family_name="Le Goff")
    factories.ContactPointFactory(resident=resident, value=normalize_phone("06 12 34 56 78"))
    factories.ContactPointFactory(resident=resident, kind=ContactKind.EMAIL,
                                  value="elodie@example.fr", contact_allowed=False)
    # Calls and SMS accepted; e-mail accepted then withdrawn (the latest answer counts).
    for purpose, granted in ((ConsentPurpose.CONTACT_PHONE, True),
                             (ConsentPurpose.CONTACT_SMS, True),
                             (ConsentPurpose.CONTACT_EMAIL, True),
                             (ConsentPurpose.CONTACT_EMAIL, False)):
        set_consent(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                    purpose=purpose, granted=granted, source=ConsentSource.RESIDENT)
    agent = factories.AgentFactory(role=Role.COUNTER)
    late = factories.CaseFactory(resident=resident, status=CaseStatus.IN_PROGRESS,
                                 due_date=date(2020, 1, 1))
    factories.CaseFactory(resident=resident, status=CaseStatus.WAITING_RESIDENT,
                          origin_channel=Channel.PHONE)
    factories.CaseFactory(resident=resident, status=CaseStatus.CLOSED)
    for minutes in range(25):
        factories.InteractionFactory(
            resident=resident, occurred_at=utcnow() - timedelta(minutes=minutes),
            agent_id=agent.id, site_id=agent.site_id,
            case_id=late.id if minutes % 3 == 0 else None, note=f"passage {minutes}",
        )
    _badge(db_session, resident.id)
    _badge(db_session, resident.id, revoked_at=utcnow())
    _badge(db_session, resident.id, kind=BadgeKind.CARD, expires_at=utcnow() - timedelta(1))
    db_session.flush()
    return resident, agent


def _logged(db_session: Session, resident_id: Any) -> int:
    return db_session.scalar(
        select(func.count()).select_from(AccessLog).where(AccessLog.resident_id == resident_id)
    ) or 0


@pytest.mark.usefixtures("pg_only")
def test_same_document_as_the_portable_path(
    db_session: Session, factories: ModuleType
) -> None:
    resident, agent = _rich_resident(db_session, factories)
    actor = Actor(username=agent.username, agent_id=agent.id, role=Role.COUNTER,
                  site_id=agent.site_id)
    fast = read_summary_pg(
        db_session=db_session, actor=actor, resident_id=resident.id, today=date.today(),
        now=utcnow(), operation=AccessOperation.READ_SUMMARY, reason=None,
    )
    assert fast is not None
    fast["flags"] = _flags(fast["resident"], fast["contact_points"], fast["open_cases"])
    portable = build_summary(today=city_day(), db_session=db_session, resident_id=resident.id)
    assert _typed(fast) == _typed(portable)
    assert set(fast["flags"]) == {"no_email_contact", "overdue_case", "waiting_for_resident"}
    assert {p["kind"]: p["contact_ways"] for p in fast["contact_points"]} == {
        "phone": ["call", "sms"], "email": []}
    assert [b["status"] for b in fast["badges"]] == [
        b["status"] for b in portable["badges"]
    ]
    row = db_session.scalars(select(AccessLog).where(AccessLog.resident_id == resident.id)).one()
    assert (row.agent_id, row.site_id, row.channel, row.operation) == (
        agent.id, agent.site_id, "counter", "read_summary")


@pytest.mark.usefixtures("pg_only")
def test_unknown_and_merged_records_take_the_portable_path(
    db_session: Session, factories: ModuleType
) -> None:
    survivor = factories.ResidentFactory()
    merged = factories.ResidentFactory(status=ResidentStatus.MERGED, merged_into_id=survivor.id)
    actor = Actor(username="system")
    for resident_id in (merged.id, factories.random_uuid()):
        assert read_summary_pg(
            db_session=db_session, actor=actor, resident_id=resident_id, today=date.today(),
            now=utcnow(), operation=AccessOperation.READ_SUMMARY, reason=None,
        ) is None
    assert _logged(db_session, merged.id) == 0
    summary = read_summary(db_session=db_session, actor=actor, resident_id=merged.id,
                           today=city_day())
    db_session.flush()
    assert summary["resident"]["id"] == survivor.id and summary["merged_from"] == merged.id
    assert _logged(db_session, survivor.id) == 1


def test_read_summary_logs_once_on_every_engine(
    db_session: Session, factories: ModuleType
) -> None:
    resident, agent = _rich_resident(db_session, factories)
    actor = Actor(username=agent.username, agent_id=agent.id, role=Role.PHONE,
                  site_id=agent.site_id)
    summary = read_summary(db_session=db_session, actor=actor, resident_id=resident.id,
                           today=city_day(),
                           reason="appel entrant")
    assert len(summary["recent_interactions"]) == 20
    assert [p["display"] for p in summary["contact_points"]] == [
        "elodie@example.fr", "06 12 34 56 78"]
    assert summary["open_cases"][0]["display_reference"][4] == "-"
    db_session.flush()
    row = db_session.scalars(select(AccessLog).where(AccessLog.resident_id == resident.id)).one()
    assert (row.channel, row.reason) == ("phone", "appel entrant")
