"""A password typed at the console (`relais agent add`) must be replaced by the agent
before anything else; only the agent's own change lifts it. Admins set no password at all
(activation codes, `test_activation.py`): nothing they create or reset is marked."""

from __future__ import annotations

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


def _from_console(db_session: Session, username: str, role: Role = Role.COUNTER) -> None:
    agent, request, handover = changes.create(
        db_session=db_session, author=CONSOLE, username=username,
        display_name="Par la console", password=STRONG, role=role, timezone="Europe/Paris")
    assert (agent.must_change_password, agent.active, request, handover) == (
        True, True, None, None)
    db_session.commit()


def _refused_until_changed(answer: Any) -> None:
    assert (answer.status_code, answer.json()["code"]) == (403, "password_change_required")
    assert answer.json()["detail"].startswith("Vous devez changer votre mot de passe")


def test_an_account_made_at_the_console_can_only_change_its_password_first(
    client: TestClient, db_session: Session,
) -> None:
    _from_console(db_session, "recrue")
    token = _token(client, "recrue")
    assert token["password_change_required"] is True
    headers = _headers(token)
    for method, path in (("GET", ME), ("GET", "/api/v1/sites"), ("GET", "/api/v1/auth/session"),
                         ("POST", "/api/v1/residents/search")):
        _refused_until_changed(client.request(method, path, headers=headers, json={"q": "x"}))
    # The new password must differ from the one typed at the console.
    same = _change(client, headers, STRONG, STRONG)
    assert same.status_code == 422 and same.json()["field"] == "new_password"
    assert _change(client, headers, STRONG, NEW).status_code == 204
    # The same session now does what the role allows, and so does the next sign-in.
    assert client.get(ME, headers=headers).json()["role"] == "counter"
    assert _token(client, "recrue", NEW)["password_change_required"] is False


def test_sign_out_still_works_before_the_change(client: TestClient,
                                                 db_session: Session) -> None:
    _from_console(db_session, "bob", Role.ADMIN)
    headers = _headers(_token(client, "bob"))
    _refused_until_changed(client.get("/api/v1/agents", headers=headers))
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204


def test_seeded_agents_are_not_forced(client: TestClient, factories: ModuleType,
                                      db_session: Session) -> None:
    factories.AgentFactory(username="seeded")
    db_session.commit()
    token = _token(client, "seeded", "secret-pass")
    assert token["password_change_required"] is False
    assert client.get(ME, headers=_headers(token)).status_code == 200


def test_the_desks_socket_follows_the_same_rule(db_session: Session) -> None:
    """The desk's socket checks sessions with `actor_for_token`, which refuses such a
    session as the routes do."""
    _from_console(db_session, "console-made")
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
