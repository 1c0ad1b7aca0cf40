"""Every way into a desk takes the agents' extension rule (`crm_core.agents.extensions`):
a ring for « 2 01 » or « ２０１ » reaches the desk of 201, whether the PBX names it in
`user[]`, `answeringNumber` or `extension`, and the desk asked with `?extension=２０１` is
201; what is no extension is refused in French (issue 20, leftovers)."""

from __future__ import annotations

from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from websockets.exceptions import InvalidStatus

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role
from crm_core.exceptions import InvalidInput
from crm_core.telephony.desk import followable_extension
from crm_core.telephony.models import Call
from tests.crm_core.conftest import sign_in
from tests.crm_core.telephony.conftest import PostEvent
from tests.crm_core.telephony.test_desk_socket import _desk, _post, _receive, _seed, _token
from tests.support.live_server import LiveServer

SPELLINGS_OF_201 = ["2 01", "２０１", "٢٠١", "\u00a0201"]
NOT_AN_EXTENSION = "20\u200b1"  # an invisible space: a lookalike, not 201


def test_a_ring_for_any_spelling_of_201_reaches_the_desk_of_201(
    live_server: LiveServer,
) -> None:
    _seed(live_server)  # "telephone" owns 201
    with _desk(live_server, _token(live_server), "２ ０１") as socket:
        assert _receive(socket)["extension"] == "201"
        for number, spelling in enumerate(SPELLINGS_OF_201):
            for field in ("user", "extension"):
                call_id = f"spelt-{field}-{number}"
                fields = {field: [spelling] if field == "user" else spelling}
                assert _post(live_server, "newCall", call_id, **fields).status_code == 202
                ring = _receive(socket)
                assert (ring["type"], ring["call"]["call_id"]) == ("ring", call_id)
                assert ring["call"]["extensions"] == ["201"]


def test_a_desk_asked_for_no_extension_is_refused_at_the_handshake(
    live_server: LiveServer,
) -> None:
    _seed(live_server)
    with pytest.raises(InvalidStatus) as refused:
        _desk(live_server, _token(live_server), NOT_AN_EXTENSION)
    assert refused.value.response.status_code == 403


def test_the_desk_says_why_an_asked_extension_is_refused(
    db_session: Session, factories: ModuleType,
) -> None:
    """The French reason the desk's socket closes with (1008) when the handshake fails."""
    agent = factories.AgentFactory(role=Role.PHONE, phone_extension="201")
    actor = Actor(username=agent.username, agent_id=agent.id, role=Role.PHONE)
    assert followable_extension(db_session, actor, "２０１") == "201"
    assert followable_extension(db_session, actor, " 2 01 ") == "201"
    with pytest.raises(InvalidInput, match="poste téléphonique invalide") as refused:
        followable_extension(db_session, actor, NOT_AN_EXTENSION)
    assert refused.value.extra.get("field") == "extension"


def test_the_calls_of_an_extension_take_the_same_rule(
    client: TestClient, factories: ModuleType, post_event: PostEvent,
) -> None:
    agent = factories.AgentFactory(role=Role.PHONE, phone_extension="201")
    headers = sign_in(client, agent.username)
    assert post_event("newCall", "listed", user=["٢٠١"]).status_code == 202
    listed = client.get("/api/v1/telephony/calls", params={"extension": "２０１"},
                        headers=headers)
    assert listed.status_code == 200, listed.text
    assert [call["call_id"] for call in listed.json()] == ["listed"]
    refused = client.get("/api/v1/telephony/calls", params={"extension": "2O1"},
                         headers=headers)
    assert refused.status_code == 422, refused.text
    assert "poste téléphonique invalide" in refused.json()["detail"]


def test_an_event_for_no_extension_is_refused_in_french(
    post_event: PostEvent, db_session: Session, factories: ModuleType,
) -> None:
    agent = factories.AgentFactory(role=Role.PHONE, phone_extension="201")
    refused = post_event("newCall", "bad-extension", extension=NOT_AN_EXTENSION)
    assert refused.status_code == 422, refused.text
    messages = [error["message"] for error in refused.json()["errors"]]
    assert any("poste téléphonique invalide" in message for message in messages), messages
    assert db_session.scalar(select(Call).where(Call.call_id == "bad-extension")) is None
    # A username in user[] or answeringNumber is no extension, and stays as sent.
    assert post_event("newCall", "named", user=[agent.username]).status_code == 202
    assert post_event("answer", "named", answeringNumber="２０１").status_code == 202
    call = db_session.scalar(select(Call).where(Call.call_id == "named"))
    assert call is not None
    db_session.refresh(call)
    assert (call.extensions, call.answered_extension) == ([agent.username, "201"], "201")
    assert call.agent_id == agent.id
