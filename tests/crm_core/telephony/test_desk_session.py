"""The desk's WebSocket lives no longer than its session, and what it shows is logged as
read by the agent whose desk shows it (over real sockets, like test_desk_socket.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update
from websockets.exceptions import ConnectionClosed

from crm_core.agents import live
from crm_core.agents.models import Agent, AgentSession
from crm_core.agents.security import token_digest
from crm_core.database.base import utcnow
from crm_core.privacy.models import AccessLog
from tests.crm_core.telephony.test_desk_socket import _desk, _post, _receive, _seed, _token
from tests.support.live_server import LiveServer

Ender = Callable[[LiveServer, str], None]


def _sign_out(server: LiveServer, token: str) -> None:
    assert httpx.post(f"{server.url}/api/v1/auth/logout", timeout=5,
                      headers={"Authorization": f"Bearer {token}"}).status_code == 204


def _password_changed_elsewhere(server: LiveServer, token: str) -> None:
    other = _token(server)  # the agent's other session changes the password
    assert httpx.post(f"{server.url}/api/v1/auth/password", timeout=5,
                      headers={"Authorization": f"Bearer {other}"},
                      json={"current_password": "secret-pass",
                            "new_password": "un-Nouveau-mot-2026"}).status_code == 204


def _deactivated(server: LiveServer, token: str) -> None:
    with server.session() as session:
        session.execute(update(Agent).where(Agent.username == "telephone").values(active=False))
        session.commit()


def _idle(server: LiveServer, token: str) -> None:
    with server.session() as session:  # unused for longer than the inactivity timeout
        session.execute(update(AgentSession).where(
            AgentSession.token_hash == token_digest(token)).values(
            last_seen_at=utcnow() - timedelta(hours=2)))
        session.commit()


ENDINGS = [_sign_out, _password_changed_elsewhere, _deactivated, _idle]


@pytest.mark.parametrize("end", ENDINGS, ids=lambda end: end.__name__.strip("_"))
def test_the_desk_is_closed_soon_after_the_session_ends(
    live_server: LiveServer, end: Ender, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "RECHECK_SECONDS", 0.05)  # "within seconds", made quick
    _seed(live_server)
    token = _token(live_server)
    with _desk(live_server, token) as socket:
        _receive(socket)
        end(live_server, token)
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        live.SESSION_ENDED, "Session terminée : reconnectez-vous")


@pytest.mark.parametrize("end", ENDINGS, ids=lambda end: end.__name__.strip("_"))
def test_no_ring_reaches_a_desk_whose_session_ended(
    live_server: LiveServer, end: Ender, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "RECHECK_SECONDS", 3600.0)  # only the check before sending
    _seed(live_server)
    token = _token(live_server)
    with _desk(live_server, token) as socket:
        _receive(socket)
        end(live_server, token)
        assert _post(live_server, "newCall", "late-1", from_="06 12 34 56 78",
                     user=["201"]).status_code == 202
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)  # the close, not Camille's name
    assert closed.value.rcvd is not None and closed.value.rcvd.code == live.SESSION_ENDED
    with live_server.session() as session:
        assert session.scalars(select(AccessLog)).all() == []  # nobody saw it


def test_a_shared_desk_ring_is_logged_as_read_by_the_agent_at_it(
    live_server: LiveServer,
) -> None:
    """Extension 210 belongs to nobody: the log named SYSTEM; now the agent at the desk.
    A supervisor watching 210 is logged for what they saw, too."""
    _seed(live_server)
    with live_server.session() as session:
        session.execute(update(Agent).where(Agent.username == "telephone")
                        .values(phone_extension=None))
        session.commit()
    phone, supervisor = _token(live_server), _token(live_server, "superviseur")
    with _desk(live_server, phone, "210") as desk, _desk(live_server, supervisor,
                                                           "210") as watching:
        _receive(desk), _receive(watching)
        _post(live_server, "newCall", "shared-1", from_="06 12 34 56 78", user=["210"])
        assert _receive(desk)["match"]["kind"] == _receive(watching)["match"]["kind"]
    with live_server.session() as session:
        rows = session.execute(select(AccessLog.agent_id, AccessLog.reason)).all()
        agents = session.execute(select(Agent.id, Agent.username))
        usernames = {row.id: row.username for row in agents}
    assert sorted((usernames.get(agent_id, "SYSTEM"), reason) for agent_id, reason in rows) == [
        ("superviseur", "incoming_call:210"), ("telephone", "incoming_call:210")]


def test_a_desk_whose_extension_is_given_to_another_agent_is_closed(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "RECHECK_SECONDS", 0.05)
    _seed(live_server)
    phone = _token(live_server)
    with _desk(live_server, phone) as socket:  # follows its own 201
        _receive(socket)
        with live_server.session() as session:
            session.execute(update(Agent).where(Agent.username == "telephone")
                            .values(phone_extension="209"))
            session.commit()
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_a_desk_whose_extension_is_removed_is_closed(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside test after issue 20: with no extension left, the agent's feed went on as a
    "shared desk" of the extension nobody owned any more, names of callers included."""
    monkeypatch.setattr(live, "RECHECK_SECONDS", 0.05)
    _seed(live_server)
    phone = _token(live_server)
    with _desk(live_server, phone) as socket:  # follows its own 201
        _receive(socket)
        with live_server.session() as session:
            session.execute(update(Agent).where(Agent.username == "telephone")
                            .values(phone_extension=None))
            session.commit()
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_the_session_that_changed_the_password_keeps_its_desk(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside attack 3 on issue 20 asked which: the session that proved the current
    password stays valid, so its stream stays too; the agent's other sessions and their
    streams end (SECURITY.md V7.4)."""
    monkeypatch.setattr(live, "RECHECK_SECONDS", 0.05)
    _seed(live_server)
    mine, other = _token(live_server), _token(live_server)
    with _desk(live_server, mine) as kept, _desk(live_server, other) as ended:
        _receive(kept), _receive(ended)
        assert httpx.post(f"{live_server.url}/api/v1/auth/password", timeout=5,
                          headers={"Authorization": f"Bearer {mine}"},
                          json={"current_password": "secret-pass",
                                "new_password": "un-Nouveau-mot-2026"}).status_code == 204
        with pytest.raises(ConnectionClosed) as closed:
            ended.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == live.SESSION_ENDED
        _post(live_server, "newCall", "kept-1", from_="06 12 34 56 78", user=["201"])
        assert _receive(kept)["match"]["resident"]["given_name"] == "Camille"
