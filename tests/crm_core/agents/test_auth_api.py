from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents import service
from crm_core.agents.enums import Role
from crm_core.config import Settings
from crm_core.database.base import utcnow
from crm_core.exceptions import NotAuthenticated
from tests.crm_core.conftest import sign_in


def test_sign_in_returns_a_bearer_token(client: TestClient, factories: ModuleType) -> None:
    agent = factories.AgentFactory(role=Role.PHONE, phone_extension="204")
    response = client.post(
        "/api/v1/auth/token", data={"username": agent.username.upper(), "password": "secret-pass"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["role"] == "phone"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == agent.username
    assert (me.json()["phone_extension"], me.json()["display_name"]) == (
        "204", agent.display_name)


@pytest.mark.parametrize(("username", "password"), [("ghost", "secret-pass"), ("REAL", "wrong")])
def test_bad_credentials_are_one_problem(
    client: TestClient, factories: ModuleType, username: str, password: str
) -> None:
    factories.AgentFactory(username="real")
    response = client.post(
        "/api/v1/auth/token", data={"username": username.lower(), "password": password}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Identifiant ou mot de passe incorrect"


def test_a_repeated_field_is_refused_not_chosen(
    client: TestClient, factories: ModuleType
) -> None:
    # Sixth outside test: the last of two usernames signed in, the first one was logged.
    factories.AgentFactory(username="accueil")
    factories.AgentFactory(username="chef", role=Role.SUPERVISOR)
    response = client.post(
        "/api/v1/auth/token", content="username=accueil&username=chef&password=secret-pass",
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 422
    assert response.json()["detail"] == "Champ répété : « username » (une seule valeur attendue)"
    assert "access_token" not in response.text


def test_inactive_agent_cannot_sign_in(client: TestClient, factories: ModuleType) -> None:
    agent = factories.AgentFactory(active=False)
    response = client.post(
        "/api/v1/auth/token", data={"username": agent.username, "password": "secret-pass"}
    )
    assert response.status_code == 401


def test_missing_or_garbage_token(client: TestClient) -> None:
    assert client.get("/api/v1/services").status_code == 401
    response = client.get("/api/v1/services", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_logout_revokes_the_token(client: TestClient, factories: ModuleType) -> None:
    headers = sign_in(client, factories.AgentFactory().username)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/services", headers=headers).status_code == 401


def test_expired_token_is_refused(db_session: Session, factories: ModuleType) -> None:
    agent = factories.AgentFactory()
    token, _, _ = service.authenticate(
        db_session=db_session, username=agent.username, password="secret-pass", site_code=None,
        ttl=timedelta(minutes=10),
    )
    service.actor_for_token(db_session=db_session, token=token)
    with pytest.raises(NotAuthenticated):
        service.actor_for_token(
            db_session=db_session, token=token, now=utcnow() + timedelta(minutes=11)
        )


def test_sign_in_at_another_site(client: TestClient, factories: ModuleType) -> None:
    agent = factories.AgentFactory()
    other = factories.SiteFactory(code="annexe-nord")
    response = client.post(
        "/api/v1/auth/token",
        data={"username": agent.username, "password": "secret-pass", "scope": "site:annexe-nord"},
    )
    assert response.json()["site_code"] == other.code
    unknown = client.post(
        "/api/v1/auth/token",
        data={"username": agent.username, "password": "secret-pass", "scope": "site:nowhere"},
    )
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.COUNTER, True), (Role.PHONE, True), (Role.SUPERVISOR, True), (Role.ADMIN, False)],
)
def test_only_front_office_roles_read_residents(
    client: TestClient, factories: ModuleType, as_role: Callable[[Role], dict[str, str]],
    role: Role, allowed: bool,
) -> None:
    resident = factories.ResidentFactory()
    response = client.get(f"/api/v1/residents/{resident.id}/summary", headers=as_role(role))
    assert (response.status_code == 200) is allowed
    if not allowed:
        assert response.status_code == 403
        assert "consulter les dossiers" in response.json()["detail"]


def test_admin_manages_agents_sites_and_services(
    client: TestClient, as_role: Callable[[Role], dict[str, str]]
) -> None:
    admin = as_role(Role.ADMIN)
    site = client.post(
        "/api/v1/sites", headers=admin,
        json={"code": "mairie-sud", "name": "Mairie de quartier Sud", "kind": "annex"},
    )
    assert site.status_code == 201, site.text
    agent = client.post(
        "/api/v1/agents", headers=admin,
        json={"username": "m.leroy", "display_name": "Martine Leroy",
              "role": "counter", "site_code": "mairie-sud"},
    )
    assert agent.status_code == 201, agent.text
    duplicate = client.post(
        "/api/v1/agents", headers=admin,
        json={"username": "M.Leroy", "display_name": "X",
              "role": "counter"},
    )
    assert duplicate.status_code == 409
    service_response = client.post(
        "/api/v1/services", headers=admin,
        json={"code": "cimetieres", "label": "Cimetières", "announced_delay_days": 20},
    )
    assert service_response.status_code == 201
    counter = as_role(Role.COUNTER)
    forbidden = client.post(
        "/api/v1/services", headers=counter,
        json={"code": "x-y", "label": "X", "announced_delay_days": 1},
    )
    assert forbidden.status_code == 403


def test_me_says_the_city_time_zone(
    client: TestClient, factories: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commune in Guyane: the apps show its dates in Cayenne's time, not Paris's."""
    monkeypatch.setenv("RELAIS_TIMEZONE", "America/Cayenne")
    client.app.state.settings = Settings()  # type: ignore[attr-defined]
    agent = factories.AgentFactory(role=Role.COUNTER)
    me = client.get("/api/v1/auth/me", headers=sign_in(client, agent.username))
    assert me.status_code == 200, me.text
    assert me.json()["timezone"] == "America/Cayenne"
