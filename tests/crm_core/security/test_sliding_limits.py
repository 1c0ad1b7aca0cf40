"""The lookup lock and the per-agent find limit slide, as SECURITY.md says (outside test
after issue 20: the lock ended at a fixed 10-minute boundary, 60 misses in 2.5 minutes;
the find limit's Retry-After said 68 s, then 590 s one minute later)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.config.security import SecuritySettings
from crm_core.security import service
from crm_core.security.exceptions import RateLimited

POLICY = SecuritySettings()
WINDOW_START = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a multiple of 10 minutes


def _actor(factories: ModuleType, db_session: Session) -> Actor:
    agent = factories.AgentFactory()
    db_session.flush()
    return Actor(agent_id=agent.id, username=agent.username, role=agent.role,
                 site_id=agent.site_id)


def _miss(db_session: Session, actor: Actor, now: datetime) -> bool:
    """One lookup finding nobody; whether it was admitted."""
    try:
        service.check_lookup(db_session=db_session, policy=POLICY, actor=actor, now=now)
    except RateLimited:
        return False
    service.lookup_missed(db_session=db_session, policy=POLICY, actor=actor, kind="badge", now=now)
    return True


def test_the_lookup_lock_does_not_end_at_a_windows_edge(
    factories: ModuleType, db_session: Session,
) -> None:
    actor = _actor(factories, db_session)
    burst = WINDOW_START + timedelta(minutes=9, seconds=30)
    assert sum(_miss(db_session, actor, burst) for _ in range(40)) == 30
    after_edge = WINDOW_START + timedelta(minutes=12)  # 2.5 min after the burst
    admitted = sum(_miss(db_session, actor, after_edge) for _ in range(40))
    assert admitted <= 6  # the burst still counts (4/5 of it): not 30 more at once
    with pytest.raises(RateLimited) as refused:
        service.check_lookup(db_session=db_session, policy=POLICY, actor=actor, now=after_edge)
    wait = int(refused.value.headers["Retry-After"])
    assert 0 < wait < 600
    later = after_edge + timedelta(seconds=wait)
    # as promised:
    service.check_lookup(db_session=db_session, policy=POLICY, actor=actor, now=later)


def _find(db_session: Session, actor: Actor, now: datetime) -> int | None:
    """One find: None when admitted, else the Retry-After."""
    try:
        service.admit_find(db_session=db_session, policy=POLICY, actor=actor, now=now)
    except RateLimited as refused:
        return int(refused.headers["Retry-After"])
    return None


def test_the_find_limit_says_when_the_next_find_is_admitted(
    factories: ModuleType, db_session: Session,
) -> None:
    actor = _actor(factories, db_session)
    burst = WINDOW_START + timedelta(minutes=8, seconds=52)
    assert [_find(db_session, actor, burst) for _ in range(120)] == [None] * 120
    first = _find(db_session, actor, burst)
    assert first is not None
    one_minute_later = _find(db_session, actor, burst + timedelta(minutes=1))
    assert one_minute_later is not None
    assert one_minute_later < first  # it was 68, then 590
    again = burst + timedelta(minutes=1, seconds=one_minute_later)
    assert _find(db_session, actor, again) is None  # admitted when told
