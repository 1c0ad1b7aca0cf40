"""Abuse counters of windows long past go at the retention run; current ones stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.config import Settings
from crm_core.database.base import utcnow
from crm_core.rights.retention import run_retention
from crm_core.security.enums import Bucket
from crm_core.security.models import AbuseCounter


def test_past_windows_are_deleted_current_ones_kept(db_session: Session) -> None:
    now = utcnow()
    bucket = next(iter(Bucket))
    for key, when in (("ancien", now - timedelta(days=2)), ("courant", now)):
        db_session.add(AbuseCounter(bucket=bucket, key=key, window_start=int(when.timestamp()),
                                    hits=3))
    db_session.flush()
    settings = Settings()
    dry = {o.rule: o for o in run_retention(db_session=db_session, settings=settings, now=now,
                                            dry_run=True)}
    assert (dry["abuse_counters"].rows, dry["abuse_counters"].applied) == (1, False)
    run_retention(db_session=db_session, settings=settings, now=now, dry_run=False)
    kept = db_session.scalars(select(AbuseCounter.key)).all()
    assert kept == ["courant"]
