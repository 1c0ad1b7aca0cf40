"""The retention rule of abuse counters, added to `relais retention run` by the bootstrap:
windows ended more than a day ago are never read again, so they are deleted (the dry run
counts them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crm_core.config import Settings
from crm_core.privacy.retention_rules import RuleOutcome
from crm_core.security.models import AbuseCounter

KEEP = timedelta(days=1)  # longer than any limiter window


def abuse_counters(db_session: Session, now: datetime, _settings: Settings,
                   dry_run: bool) -> RuleOutcome:
    cutoff = now - KEEP
    old = AbuseCounter.window_start < int(cutoff.timestamp())
    rows = db_session.scalar(select(func.count()).select_from(AbuseCounter).where(old)) or 0
    if not dry_run and rows:
        db_session.execute(delete(AbuseCounter).where(old))
    return RuleOutcome("abuse_counters", "compteurs anti-abus expirés", cutoff,
                                 rows, not dry_run)

