"""The retention rule of resident sessions, added to `relais retention run` by the
bootstrap: a session expired or signed out more than a day ago is deleted (its dry run
counts them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from crm_core.config import Settings
from crm_core.privacy.retention_rules import RuleOutcome
from crm_core.space.models import ResidentSession

KEEP = timedelta(days=1)


def resident_sessions(db_session: Session, now: datetime, _settings: Settings,
                      dry_run: bool) -> RuleOutcome:
    cutoff = now - KEEP
    over = or_(ResidentSession.expires_at < cutoff, ResidentSession.ended_at < cutoff)
    rows = db_session.scalar(select(func.count()).select_from(ResidentSession)
                             .where(over)) or 0
    if not dry_run and rows:
        db_session.execute(delete(ResidentSession).where(over))
    return RuleOutcome("resident_sessions", "sessions de l'espace usager terminées",
                                 cutoff, rows, not dry_run)

