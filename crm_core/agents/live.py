"""Long-lived channels (the desk's WebSocket, any stream added later) re-check the session
they were opened with: before every message they send, and every `RECHECK_SECONDS` while
idle. A session ended by sign-out, a deactivation, the inactivity timeout or its lifetime
closes the channel within seconds, and nothing is sent after; so does a password change for
the agent's other sessions (the session that made it, having proved the current password,
stays valid, and so does its channel)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_core.agents import service as agents
from crm_core.agents.actor import Actor

RECHECK_SECONDS = 5.0
# WebSocket close code (private range 4000-4999): the session is over, signing in again is
# needed; a client must not reconnect with the same token.
SESSION_ENDED = 4401
SESSION_ENDED_REASON = "Session terminée : reconnectez-vous"


def live_actor(app_state: Any, db_session: Session, token: str) -> Actor:
    """The session's agent now, or `NotAuthenticated`. Reads only: a channel left open is
    not activity, so an agent who does nothing else still reaches the inactivity timeout."""
    actor, _ = agents.session_actor(db_session=db_session, token=token,
                                    idle_timeout=app_state.agent_idle_timeout)
    return actor
