"""Retention rules: a dry run reports, a run applies, and only what has outlived its use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType

from sqlalchemy import update
from sqlalchemy.orm import Session

from crm_core.agents.models import AgentSession
from crm_core.cases.enums import CaseStatus
from crm_core.config import Settings
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import Resident
from crm_core.rights.retention import inactive_residents, run_retention

LONG_AGO = datetime.now(UTC) - timedelta(days=4 * 365)


def _aged(db_session: Session, resident: Resident) -> Resident:
    db_session.execute(update(Resident).where(Resident.id == resident.id)
                       .values(updated_at=LONG_AGO, created_at=LONG_AGO))
    db_session.expire(resident)
    return resident


def test_only_residents_with_nothing_recent_or_open_are_erased(
    db_session: Session, factories: ModuleType
) -> None:
    forgotten = _aged(db_session, factories.ResidentFactory(given_name="Oublié"))
    with_recent_visit = _aged(db_session, factories.ResidentFactory())
    factories.InteractionFactory(resident=with_recent_visit)
    with_open_case = _aged(db_session, factories.ResidentFactory())
    case = factories.CaseFactory(resident=with_open_case, status=CaseStatus.WAITING_RESIDENT)
    db_session.execute(update(type(case)).where(type(case).id == case.id)
                       .values(updated_at=LONG_AGO))
    recent = factories.ResidentFactory()
    cutoff = datetime.now(UTC) - timedelta(days=3 * 365)
    found = set(inactive_residents(db_session=db_session, cutoff=cutoff, limit=1000))
    assert forgotten.id in found
    assert not found & {with_recent_visit.id, with_open_case.id, recent.id}

    settings = Settings()
    now = datetime.now(UTC)
    dry = {o.rule: o for o in run_retention(db_session=db_session, settings=settings,
                                            now=now, dry_run=True)}
    assert dry["residents"].rows >= 1 and not dry["residents"].applied
    assert db_session.get(Resident, forgotten.id).status is ResidentStatus.ACTIVE  # type: ignore[union-attr]
    done = {o.rule: o for o in run_retention(db_session=db_session, settings=settings,
                                             now=now, dry_run=False)}
    assert done["residents"].rows == dry["residents"].rows and done["residents"].applied
    db_session.expire_all()
    assert db_session.get(Resident, forgotten.id).status is ResidentStatus.ERASED  # type: ignore[union-attr]
    for kept in (with_recent_visit, with_open_case, recent):
        assert db_session.get(Resident, kept.id).status is ResidentStatus.ACTIVE  # type: ignore[union-attr]


def test_sessions_that_ended_long_ago_are_deleted(
    db_session: Session, factories: ModuleType
) -> None:
    agent = factories.AgentFactory()
    now = datetime.now(UTC)
    db_session.add_all([
        AgentSession(token_hash="a" * 64, agent_id=agent.id, expires_at=now - timedelta(days=60)),
        AgentSession(token_hash="b" * 64, agent_id=agent.id, expires_at=now - timedelta(days=1)),
    ])
    db_session.flush()
    outcome = {o.rule: o for o in run_retention(db_session=db_session, settings=Settings(),
                                                now=now, dry_run=False)}
    assert outcome["agent_sessions"].rows == 1
    assert db_session.get(AgentSession, "a" * 64) is None
    assert db_session.get(AgentSession, "b" * 64) is not None
