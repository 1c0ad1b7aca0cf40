from __future__ import annotations

from datetime import timedelta
from types import ModuleType

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.config import Settings
from crm_core.database.base import utcnow
from crm_core.rights.retention import run_retention
from crm_core.space.models import ResidentSession
from crm_core.space.sessions import end_session, start_session


def test_finished_resident_sessions_go_at_the_retention_run(
    db_session: Session, factories: ModuleType
) -> None:
    settings = Settings()
    resident = factories.ResidentFactory()
    _, live = start_session(db_session=db_session, settings=settings,
                            resident_id=resident.id, provider="p", subject="s1")
    _, old = start_session(db_session=db_session, settings=settings,
                           resident_id=resident.id, provider="p", subject="s2")
    old.expires_at = utcnow() - timedelta(days=2)
    token, signed_out = start_session(db_session=db_session, settings=settings,
                                      resident_id=resident.id, provider="p", subject="s3")
    end_session(db_session=db_session, token=token)
    db_session.flush()
    dry = {o.rule: o for o in run_retention(db_session=db_session, settings=settings,
                                            now=utcnow(), dry_run=True)}
    assert (dry["resident_sessions"].rows, dry["resident_sessions"].applied) == (1, False)
    later = utcnow() + timedelta(days=2)  # the signed-out one is old enough by then
    done = {o.rule: o for o in run_retention(db_session=db_session, settings=settings,
                                             now=later, dry_run=False)}
    assert done["resident_sessions"].rows == 3  # the live one has expired by then too
    assert db_session.scalars(select(ResidentSession)).all() == []
    assert signed_out.subject == "s3" and live.subject == "s1"
