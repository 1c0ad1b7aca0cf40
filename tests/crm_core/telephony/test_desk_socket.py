"""The desk WebSocket over real sockets: uvicorn on 127.0.0.1, the `websockets` client."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from crm_core.agents.models import Agent
from crm_core.client import RelaisClient
from crm_core.privacy.models import AccessLog
from crm_core.residents.models import ContactPoint, Resident
from phone_desk.feed import desk_url
from tests.support.live_server import LiveServer, serve
from tests.support.telephony import cti, signed


def _token(live_server: LiveServer, username: str = "telephone") -> str:
    with RelaisClient(live_server.url) as client:
        return str(client.sign_in(username, "secret-pass")["access_token"])


def _desk(live_server: LiveServer, token: str, extension: str | None = None) -> ClientConnection:
    return connect(desk_url(live_server.url, extension),
                   additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=5)


def _receive(socket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(socket.recv(timeout=5))
    return message


def _post(live_server: LiveServer, event: str, call_id: str, **fields: Any) -> httpx.Response:
    body, headers = signed(cti(event, call_id, **fields))
    return httpx.post(f"{live_server.url}/api/v1/telephony/events", content=body,
                      headers=headers, timeout=5)


def _seed(live_server: LiveServer) -> None:
    with live_server.session() as session:
        agent = session.query(Agent).filter_by(username="telephone").one()
        agent.phone_extension = "201"
        camille = Resident(given_name="Camille", family_name="Durand", given_name_key="camille",
                           family_name_key="durand", status="active")
        marc = Resident(given_name="Marc", family_name="Durand", given_name_key="marc",
                        family_name_key="durand", status="active")
        session.add_all([camille, marc])
        session.flush()
        session.add_all([
            ContactPoint(resident_id=camille.id, kind="phone", value="+33612345678"),
            ContactPoint(resident_id=camille.id, kind="phone", value="+33299001122"),
            ContactPoint(resident_id=marc.id, kind="phone", value="+33299001122"),
        ])
        session.commit()


def test_the_match_arrives_with_the_ring(live_server: LiveServer) -> None:
    _seed(live_server)
    token = _token(live_server)
    with _desk(live_server, token) as socket:
        assert _receive(socket) == {"type": "snapshot", "extension": "201", "calls": []}
        assert _post(live_server, "newCall", "ws-1", from_="06 12 34 56 78",
                     user=["201"]).status_code == 202
        ring = _receive(socket)
        assert ring["type"] == "ring"
        assert ring["call"]["remote_display"] == "06 12 34 56 78"
        assert ring["match"]["kind"] == "resident"
        assert ring["match"]["resident"]["given_name"] == "Camille"
        _post(live_server, "newCall", "ws-2", from_="02 99 00 11 22", user=["201"])
        family = _receive(socket)
        assert family["match"]["kind"] == "candidates"
        assert sorted(c["given_name"] for c in family["match"]["candidates"]) == ["Camille",
                                                                                  "Marc"]
        _post(live_server, "newCall", "ws-3", from_="06 98 76 54 32", user=["201"])
        assert _receive(socket)["match"]["kind"] == "unknown"
        _post(live_server, "newCall", "ws-4", from_="anonymous", user=["201"])
        hidden = _receive(socket)
        assert (hidden["match"]["kind"], hidden["call"]["remote_display"]) == ("none",
                                                                              "Numéro masqué")
        _post(live_server, "answer", "ws-1", user=["201"])
        update = _receive(socket)
        assert (update["type"], update["call"]["status"]) == ("update", "answered")


def test_a_desk_reconnecting_mid_call_gets_the_call_back(live_server: LiveServer) -> None:
    _seed(live_server)
    token = _token(live_server)
    with _desk(live_server, token) as socket:
        _receive(socket)
        _post(live_server, "newCall", "mid-1", from_="06 12 34 56 78", user=["201"])
        _receive(socket)
    _post(live_server, "answer", "mid-1", user=["201"])  # while the desk is away
    with _desk(live_server, token) as socket:
        snapshot = _receive(socket)
        assert [c["call"]["call_id"] for c in snapshot["calls"]] == ["mid-1"]
        assert snapshot["calls"][0]["call"]["status"] == "answered"
        assert snapshot["calls"][0]["match"]["resident"]["family_name"] == "Durand"
    _post(live_server, "hangup", "mid-1")
    with _desk(live_server, token) as socket:
        assert _receive(socket)["calls"] == []


def test_two_desks_one_answers(live_server: LiveServer) -> None:
    _seed(live_server)
    token = _token(live_server)
    supervisor = _token(live_server, "superviseur")
    with _desk(live_server, token) as mine, _desk(live_server, supervisor, "202") as other:
        _receive(mine), _receive(other)
        _post(live_server, "newCall", "grp-1", user=["201", "202"], queue="accueil")
        assert _receive(mine)["type"] == _receive(other)["type"] == "ring"
        _post(live_server, "answer", "grp-1", answeringNumber="202")
        taken = _receive(mine)
        assert (taken["call"]["status"], taken["call"]["answered_extension"]) == ("answered",
                                                                                 "202")


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_a_desk_without_a_valid_session_is_refused(live_server: LiveServer, token: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        _desk(live_server, token, "201")
    assert refused.value.response.status_code == 403


def test_an_agent_without_an_extension_must_name_one(live_server: LiveServer) -> None:
    with pytest.raises(InvalidStatus):
        _desk(live_server, _token(live_server, "telephone"))
    with _desk(live_server, _token(live_server, "telephone"), "210") as socket:
        assert _receive(socket)["extension"] == "210"  # a shared desk nobody owns


def test_nobody_follows_someone_elses_seat(live_server: LiveServer) -> None:
    _seed(live_server)  # "telephone" owns 201
    phone, counter = _token(live_server), _token(live_server, "accueil")
    for token, extension in ((counter, "201"), (phone, "210"), (counter, "210")):
        with pytest.raises(InvalidStatus) as refused:
            _desk(live_server, token, extension)
        assert refused.value.response.status_code == 403
    with _desk(live_server, _token(live_server, "superviseur"), "201") as watching:
        assert _receive(watching)["extension"] == "201"
    listed = httpx.get(f"{live_server.url}/api/v1/telephony/calls?extension=201",
                       headers={"Authorization": f"Bearer {counter}"}, timeout=5)
    assert listed.status_code == 403


def test_every_name_shown_on_a_desk_is_in_the_access_log(live_server: LiveServer) -> None:
    _seed(live_server)
    token = _token(live_server)
    with _desk(live_server, token) as socket:
        _receive(socket)
        _post(live_server, "newCall", "log-1", from_="02 99 00 11 22", user=["201"])
        assert _receive(socket)["match"]["kind"] == "candidates"
    with _desk(live_server, token) as socket:  # back mid-call: the names are shown again
        assert len(_receive(socket)["calls"]) == 1
    with live_server.session() as session:
        rows = session.execute(
            select(Resident.given_name, AccessLog.reason, Agent.username)
            .join(AccessLog, AccessLog.resident_id == Resident.id)
            .join(Agent, Agent.id == AccessLog.agent_id)
            .order_by(AccessLog.id)
        ).all()
    assert sorted((r.reason, r.given_name) for r in rows) == [
        ("desk_snapshot:201", "Camille"), ("desk_snapshot:201", "Marc"),
        ("incoming_call:201", "Camille"), ("incoming_call:201", "Marc")]
    assert {r.username for r in rows} == {"telephone"}


def test_a_ring_reaches_a_desk_connected_to_another_api_process(
    live_server: LiveServer,
) -> None:
    if live_server.engine.dialect.name != "postgresql":
        pytest.skip("one process on SQLite; the broadcast between processes is PostgreSQL's")
    _seed(live_server)
    token = _token(live_server)
    with serve(live_server.engine) as other:  # a second app: its own hub and listener
        assert other.url != live_server.url
        with _desk(live_server, token) as socket:
            _receive(socket)
            assert _post(other, "newCall", "far-1", from_="06 12 34 56 78",
                         user=["201"]).status_code == 202
            ring = _receive(socket)
            assert (ring["type"], ring["call"]["call_id"]) == ("ring", "far-1")
            assert ring["match"]["resident"]["given_name"] == "Camille"
            _post(other, "hangup", "far-1")
            update = _receive(socket)
            assert (update["type"], update["call"]["status"]) == ("update", "abandoned")
            with pytest.raises(TimeoutError):
                socket.recv(timeout=0.5)  # each message once, not once per process
