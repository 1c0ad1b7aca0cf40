"""Retention rules, run as a scheduled job (`relais retention run`, from a daily timer).

Each rule finds what has outlived its purpose and deals with it the way its kind of data
demands: the access log is purged from the start of its hash chain; agents' sessions that
ended long ago are deleted; residents with no exchange, no open request and no change for
the retention period are erased (made anonymous) exactly as on request. A dry run says
what each rule would do and touches nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.agents.models import AgentSession
from crm_core.cases.enums import OPEN_STATUSES
from crm_core.cases.models import Case
from crm_core.config import Settings
from crm_core.interactions.models import Interaction
from crm_core.privacy.audit import purge
from crm_core.privacy.retention_rules import Rule, RuleOutcome
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import Resident
from crm_core.rights.erasure import erase_resident

ERASE_BATCH = 500
SESSION_KEEP = timedelta(days=30)


def _access_log(db_session: Session, now: datetime, settings: Settings,
                dry_run: bool) -> RuleOutcome:
    cutoff = now - timedelta(days=settings.audit_retention_days)
    report = purge(db_session=db_session, cutoff=cutoff, dry_run=dry_run)
    return RuleOutcome("access_log", "journal des consultations", cutoff, report.rows,
                       not dry_run)


def _agent_sessions(db_session: Session, now: datetime, _settings: Settings,
                    dry_run: bool) -> RuleOutcome:
    cutoff = now - SESSION_KEEP
    ended = AgentSession.expires_at < cutoff
    rows = db_session.scalar(select(func.count()).select_from(AgentSession).where(ended)) or 0
    if not dry_run and rows:
        db_session.execute(delete(AgentSession).where(ended))
    return RuleOutcome("agent_sessions", "sessions des agents terminées", cutoff, rows,
                       not dry_run)


def inactive_residents(
    *, db_session: Session, cutoff: datetime, limit: int
) -> list[uuid.UUID]:
    """Active residents untouched since `cutoff`: no change, no exchange, no case moved
    since, and no request still open."""
    recent_exchange = select(Interaction.id).where(
        Interaction.resident_id == Resident.id, Interaction.occurred_at >= cutoff)
    live_case = select(Case.id).where(
        Case.resident_id == Resident.id,
        or_(Case.status.in_(OPEN_STATUSES), Case.updated_at >= cutoff))
    return list(db_session.scalars(
        select(Resident.id).where(
            Resident.status == ResidentStatus.ACTIVE, Resident.updated_at < cutoff,
            ~recent_exchange.exists(), ~live_case.exists(),
        ).order_by(Resident.id).limit(limit)
    ))


def _residents(db_session: Session, now: datetime, settings: Settings,
               dry_run: bool) -> RuleOutcome:
    cutoff = now - timedelta(days=settings.resident_retention_days)
    erased = 0
    while True:
        batch = inactive_residents(db_session=db_session, cutoff=cutoff,
                                   limit=10**9 if dry_run else ERASE_BATCH)
        if dry_run:
            erased = len(batch)
            break
        for resident_id in batch:
            erase_resident(db_session=db_session, actor=SYSTEM, resident_id=resident_id,
                           reason="durée de conservation écoulée")
        erased += len(batch)
        if len(batch) < ERASE_BATCH:
            break
    return RuleOutcome("residents", "dossiers sans contact ni demande", cutoff, erased,
                       not dry_run)


# Other packages' rules (abuse counters, resident sessions) are added by the bootstrap
# (`add_rule`), before the residents' erasure, which stays last.
RULES: list[Rule] = [_access_log, _agent_sessions, _residents]
_complete: list[bool] = []  # one True once start-up added every rule


def add_rule(rule: Rule) -> None:
    if rule not in RULES:
        RULES.insert(len(RULES) - 1, rule)


def mark_complete() -> None:
    """Every rule is in (called last by the bootstrap)."""
    _complete[:] = [True]


def run_retention(
    *, db_session: Session, settings: Settings, now: datetime, dry_run: bool
) -> list[RuleOutcome]:
    """Every rule, in one transaction that the caller commits (or not, for a dry run)."""
    if not _complete:  # a rule missing would go unnoticed: the run would look complete
        raise RuntimeError("retention rules not registered: call crm_core.app.bootstrap.bootstrap()"
                           " at start-up")
    return [rule(db_session, now, settings, dry_run) for rule in RULES]
