from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents import service
from crm_core.agents.enums import Role
from crm_core.agents.models import AgentSession
from crm_core.agents.passwords import check_new_password
from crm_core.exceptions import InvalidInput
from crm_core.security.models import SecurityEvent
from tests.crm_core.conftest import sign_in


@pytest.mark.parametrize(("password", "says"), [
    ("court12", "trop court"),
    ("x" * 129, "trop long"),
    ("m.leroy1", "facile"),  # the username, whatever the case
    ("M.LEROY1", "facile"),
    ("aaaaaaaaaa", "facile"),
    ("Azertyuiop", "facile"),
    ("MotDePassé", "facile"),  # accents and case do not make a common password new
])
def test_weak_passwords_are_refused_with_the_reason(password: str, says: str) -> None:
    with pytest.raises(InvalidInput) as error:
        check_new_password(password, username="m.leroy1")
    assert says in error.value.detail
    assert error.value.extra["field"] == "password"


@pytest.mark.parametrize("password", ["le chat de la mairie", "8 signes", "Rennes-2026!"])
def test_long_enough_and_uncommon_passwords_pass(password: str) -> None:
    check_new_password(password, username="m.leroy")


def test_create_agent_applies_the_rules_except_for_the_demo(db_session: Session) -> None:
    with pytest.raises(InvalidInput):
        service.create_agent(db_session=db_session, username="court", display_name="Court",
                             password="demo", role=Role.COUNTER)
    demo = service.create_agent(db_session=db_session, username="accueil-demo",
                                display_name="Démo", password="demo", role=Role.COUNTER,
                                weak_password_allowed=True)
    assert demo.id is not None


def test_api_refuses_a_weak_password_as_a_problem_naming_the_field_sent(
    client: TestClient, as_role: Any,
) -> None:
    """The activation's body says `new_password`: so does its error (a reset's said
    `password` for a `new_password` field)."""
    created = client.post("/api/v1/agents", headers=as_role(Role.ADMIN), json={
        "username": "m.petit", "display_name": "M. Petit", "role": "admin"}).json()
    response = client.post("/api/v1/auth/activate", json={
        "username": "m.petit", "code": created["activation_code"], "new_password": "1234"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "8 caractères" in response.json()["detail"]
    assert response.json()["field"] == "new_password"


def _change(client: TestClient, headers: dict[str, str], current: str, new: str) -> Any:
    return client.post("/api/v1/auth/password", headers=headers,
                       json={"current_password": current, "new_password": new})


def test_an_agent_changes_their_own_password(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    agent = factories.AgentFactory()
    elsewhere = sign_in(client, agent.username)
    here = sign_in(client, agent.username)
    assert _change(client, here, "secret-pass", "une phrase de passe").status_code == 204
    assert client.get("/api/v1/auth/me", headers=here).status_code == 200  # this one stays
    assert client.get("/api/v1/auth/me", headers=elsewhere).status_code == 401
    assert sign_in(client, agent.username, "une phrase de passe")
    old = client.post("/api/v1/auth/token",
                      data={"username": agent.username, "password": "secret-pass"})
    assert old.status_code == 401
    live = db_session.scalars(select(AgentSession).where(
        AgentSession.agent_id == agent.id, AgentSession.revoked_at.is_(None))).all()
    assert len(live) == 2  # "here" and the sign-in with the new password


@pytest.mark.parametrize(("current", "new", "field", "says"), [
    ("secret-pass", "secret-pass", "new_password", "différent"),
    ("secret-pass", "court", "new_password", "trop court"),
    ("secret-pass", "password123", "new_password", "facile"),
])
def test_a_refused_change_says_why_and_changes_nothing(
    client: TestClient, factories: ModuleType, current: str, new: str, field: str, says: str
) -> None:
    agent = factories.AgentFactory()
    headers = sign_in(client, agent.username)
    response = _change(client, headers, current, new)
    assert response.status_code == 422
    assert response.json()["field"] == field and says in response.json()["detail"]
    assert sign_in(client, agent.username)  # the old password still works


def test_a_wrong_current_password_counts_towards_the_lock_out(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    agent = factories.AgentFactory()
    headers = sign_in(client, agent.username)
    statuses = [_change(client, headers, f"devine-{n}", "une phrase de passe").status_code
                for n in range(12)]
    assert statuses[0] == 422 and 429 in statuses  # locked before the twelfth guess
    wrong = _change(client, headers, "devine", "une phrase de passe")
    assert wrong.status_code == 429
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200  # not signed out
    assert db_session.scalar(select(SecurityEvent.id).where(
        SecurityEvent.subject == agent.username)) is not None
