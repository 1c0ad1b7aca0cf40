"""Agent sessions: lifetime, inactivity timeout, and how often activity is written."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType

import pytest
from sqlalchemy.orm import Session

from crm_core.agents import service
from crm_core.agents.models import AgentSession
from crm_core.agents.security import token_digest
from crm_core.database.base import utcnow
from crm_core.exceptions import NotAuthenticated

IDLE = timedelta(minutes=60)


def _open(db_session: Session, factories: ModuleType) -> str:
    agent = factories.AgentFactory()
    token, _, _ = service.authenticate(
        db_session=db_session, username=agent.username, password="secret-pass",
        site_code=None, ttl=timedelta(hours=10),
    )
    return token


def _last_seen(db_session: Session, token: str) -> object:
    session = db_session.get(AgentSession, token_digest(token))
    assert session is not None
    db_session.refresh(session)
    return session.last_seen_at


def test_a_session_unused_for_the_idle_timeout_expires(
    db_session: Session, factories: ModuleType
) -> None:
    token = _open(db_session, factories)
    start = utcnow()
    service.actor_for_token(db_session=db_session, token=token, idle_timeout=IDLE,
                            now=start + timedelta(minutes=59))
    # Used at +59 min: alive until +119 min, though well past an hour after sign-in.
    service.actor_for_token(db_session=db_session, token=token, idle_timeout=IDLE,
                            now=start + timedelta(minutes=118))
    with pytest.raises(NotAuthenticated):
        service.actor_for_token(db_session=db_session, token=token, idle_timeout=IDLE,
                                now=start + timedelta(minutes=180))


def test_without_idle_timeout_only_the_lifetime_counts(
    db_session: Session, factories: ModuleType
) -> None:
    token = _open(db_session, factories)
    service.actor_for_token(db_session=db_session, token=token,
                            now=utcnow() + timedelta(hours=9))
    with pytest.raises(NotAuthenticated):
        service.actor_for_token(db_session=db_session, token=token,
                                now=utcnow() + timedelta(hours=11))


def test_activity_is_written_at_most_once_a_minute(
    db_session: Session, factories: ModuleType
) -> None:
    token = _open(db_session, factories)
    first = _last_seen(db_session, token)
    assert first is not None
    start = utcnow()
    service.actor_for_token(db_session=db_session, token=token, idle_timeout=IDLE,
                            now=start + timedelta(seconds=30))
    assert _last_seen(db_session, token) == first
    later = start + timedelta(minutes=2)
    service.actor_for_token(db_session=db_session, token=token, idle_timeout=IDLE, now=later)
    assert _last_seen(db_session, token) == later
