"""A password someone else set (an admin creating the account or resetting it, the
console) must be replaced by the agent before anything else; only the agent's own change
lifts it, never a supervisor's approval."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents import changes
from crm_core.agents import service as agents
from crm_core.agents.actor import CONSOLE
from crm_core.agents.enums import Role
from crm_core.agents.models import Agent
from tests.crm_core.agents.conftest import STRONG

NEW = "mon-propre-Secret-2026"
ME = "/api/v1/auth/me"


def _token(client: TestClient, username: str, password: str = STRONG) -> dict[str, Any]:
    response = client.post("/api/v1/auth/token",
                           data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _headers(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}


def _change(client: TestClient, headers: dict[str, str], current: str, new: str) -> Any:
    return client.post("/api/v1/auth/password", headers=headers,
                       json={"current_password": current, "new_password": new})


def _created_by_admin(client: TestClient, staff: dict[str, Any], username: str) -> str:
    """A counter agent the admin creates, approved by a supervisor: its id."""
    created = client.post("/api/v1/agents", headers=staff["admin"], json={
        "username": username, "display_name": "Nouvelle Recrue", "password": STRONG,
        "role": "counter", "site_code": "hdv"})
    assert created.status_code == 201, created.text
    request_id = created.json()["pending_request_id"]
    approved = client.post(f"/api/v1/agents/requests/{request_id}/approve",
                           headers=staff["chef"])
    assert approved.status_code == 200, approved.text
    return str(created.json()["id"])


def _refused_until_changed(answer: Any) -> None:
    assert (answer.status_code, answer.json()["code"]) == (403, "password_change_required")
    assert answer.json()["detail"].startswith("Vous devez changer votre mot de passe")


def test_an_account_an_admin_created_can_only_change_its_password_first(
    client: TestClient, staff: dict[str, Any], db_session: Session,
) -> None:
    agent_id = _created_by_admin(client, staff, "recrue")
    token = _token(client, "recrue")
    assert token["password_change_required"] is True
    headers = _headers(token)
    for method, path in (("GET", ME), ("GET", "/api/v1/sites"), ("GET", "/api/v1/auth/session"),
                         ("POST", "/api/v1/residents/search")):
        _refused_until_changed(client.request(method, path, headers=headers, json={"q": "x"}))
    # The new password must differ from the one someone else set.
    same = _change(client, headers, STRONG, STRONG)
    assert same.status_code == 422 and same.json()["field"] == "new_password"
    assert _change(client, headers, STRONG, NEW).status_code == 204
    # The same session now does what the role allows, and so does the next sign-in.
    assert client.get(ME, headers=headers).json()["role"] == "counter"
    assert _token(client, "recrue", NEW)["password_change_required"] is False
    agent = db_session.get(Agent, uuid.UUID(agent_id))
    db_session.refresh(agent)
    assert agent is not None and agent.must_change_password is False


def test_the_supervisors_approval_keeps_the_change_required(
    client: TestClient, staff: dict[str, Any], db_session: Session,
) -> None:
    """The approval clears the four-eyes warning (`password_set_by`), not this."""
    agent_id = _created_by_admin(client, staff, "recrue")
    agent = db_session.get(Agent, uuid.UUID(agent_id))
    assert agent is not None
    db_session.refresh(agent)
    assert (agent.password_set_by, agent.must_change_password, agent.active) == (
        None, True, True)


def test_a_reset_applied_at_once_must_be_changed_and_sign_out_still_works(
    client: TestClient, staff: dict[str, Any], factories: ModuleType, db_session: Session,
) -> None:
    bob = factories.AgentFactory(username="bob", role=Role.ADMIN, site=staff["site"])
    db_session.commit()
    reset = client.post(f"/api/v1/agents/{bob.id}/password", headers=staff["admin"],
                        json={"new_password": STRONG})
    assert reset.status_code == 200 and reset.json()["pending_request_id"] is None
    headers = _headers(_token(client, "bob"))
    _refused_until_changed(client.get("/api/v1/agents", headers=headers))
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204


def test_a_reset_approved_by_a_supervisor_must_be_changed(
    client: TestClient, staff: dict[str, Any], factories: ModuleType, db_session: Session,
) -> None:
    alice = factories.AgentFactory(username="alice", role=Role.COUNTER, site=staff["site"])
    db_session.commit()
    reset = client.post(f"/api/v1/agents/{alice.id}/password", headers=staff["admin"],
                        json={"new_password": STRONG})
    request_id = reset.json()["pending_request_id"]
    assert client.post(f"/api/v1/agents/requests/{request_id}/approve",
                       headers=staff["chef"]).status_code == 200
    assert _token(client, "alice")["password_change_required"] is True


def test_seeded_agents_are_not_forced(client: TestClient, factories: ModuleType,
                                      db_session: Session) -> None:
    factories.AgentFactory(username="seeded")
    db_session.commit()
    token = _token(client, "seeded", "secret-pass")
    assert token["password_change_required"] is False
    assert client.get(ME, headers=_headers(token)).status_code == 200


def test_the_console_and_the_desks_socket_follow_the_same_rule(
    db_session: Session, factories: ModuleType,
) -> None:
    """`relais agent add` sets the password too; the desk's socket checks sessions with
    `actor_for_token`, which refuses such a session as the routes do."""
    agent, _ = changes.create(db_session=db_session, author=CONSOLE, username="console-made",
                              display_name="Par la console", password=STRONG,
                              role=Role.COUNTER)
    assert agent.must_change_password and agent.active
    token, _, _ = agents.authenticate(db_session=db_session, username="console-made",
                                      password=STRONG, site_code=None,
                                      ttl=timedelta(hours=1))
    with pytest.raises(agents.PasswordChangeRequired):
        agents.actor_for_token(db_session=db_session, token=token)
    actor, _ = agents.session_actor(db_session=db_session, token=token,
                                    changing_password=True)
    agents.change_password(db_session=db_session, actor=actor, current_password=STRONG,
                           new_password=NEW, token=token)
    assert agents.actor_for_token(db_session=db_session, token=token).username == "console-made"
