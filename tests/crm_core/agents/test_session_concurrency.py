"""One session used by many requests at once when its activity mark is due: a real
server, real threads, both engines. The mark once held the session's row (or SQLite's
write lock) until the route's commit, while the route waited for a thread that the
requests queued behind that lock were holding: the server stopped answering."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from crm_core.agents.models import AgentSession
from crm_core.agents.security import token_digest
from crm_core.database.base import utcnow
from crm_core.residents.models import Resident
from tests.support.live_server import LiveServer

CONCURRENT = 48  # more than the server's request threads (2 × its pool size)
ROUNDS = 3


def test_a_due_activity_mark_never_blocks_the_sessions_other_requests(
    live_server: LiveServer,
) -> None:
    token = httpx.post(f"{live_server.url}/api/v1/auth/token",
                       data={"username": "accueil", "password": "secret-pass"}
                       ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    with live_server.session() as session:
        resident = Resident(given_name="Camille", family_name="Durand",
                            given_name_key="camille", family_name_key="durand",
                            status="active")
        session.add(resident)
        session.commit()
        summary = f"/api/v1/residents/{resident.id}/summary"
    with httpx.Client(base_url=live_server.url, timeout=20, headers=headers,
                      limits=httpx.Limits(max_connections=CONCURRENT)) as client:
        for _ in range(ROUNDS):
            with live_server.session() as session:  # the mark is due again
                session.execute(update(AgentSession).values(
                    last_seen_at=utcnow() - timedelta(minutes=5)))
                session.commit()
            with ThreadPoolExecutor(CONCURRENT) as pool:
                statuses = list(pool.map(
                    lambda _: client.get(summary).status_code, range(CONCURRENT)))
            assert statuses == [200] * CONCURRENT
    with live_server.session() as session:
        seen = session.scalar(select(AgentSession.last_seen_at).where(
            AgentSession.token_hash == token_digest(token)))
        assert seen is not None and utcnow() - seen < timedelta(minutes=1)  # marked
