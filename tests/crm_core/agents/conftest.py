"""Staff for the tests of agents' changes: an admin and two supervisors at one site."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.security.models import SecurityEvent
from tests.crm_core.conftest import sign_in

STRONG = "un-Mot-de-passe-2026"


@pytest.fixture
def staff(client: TestClient, factories: ModuleType, db_session: Session) -> dict[str, Any]:
    """An admin and two supervisors at "hdv": their sign-in headers, and the site."""
    site = factories.SiteFactory(code="hdv")
    for name, role in (("admin", Role.ADMIN), ("chef", Role.SUPERVISOR),
                       ("cheffe", Role.SUPERVISOR)):
        factories.AgentFactory(username=name, role=role, site=site)
    db_session.commit()
    return {name: sign_in(client, name) for name in ("admin", "chef", "cheffe")} | {
        "site": site}


OWN = "mon-propre-Secret-2026"


def activate(client: TestClient, username: str, code: str | None,
             new_password: str = OWN) -> dict[str, str]:
    """The agent sets their password with the activation code handed to them, then signs
    in with it: returns the session's headers."""
    assert code, "no activation code was issued"
    done = client.post("/api/v1/auth/activate", json={
        "username": username, "code": code, "new_password": new_password})
    assert done.status_code == 204, done.text
    return sign_in(client, username, new_password)


def approve(client: TestClient, headers: dict[str, str], request_id: str) -> dict[str, Any]:
    answer = client.post(f"/api/v1/agents/requests/{request_id}/approve", headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def cannot_sign_in(client: TestClient, username: str, password: str = STRONG) -> None:
    response = client.post("/api/v1/auth/token",
                           data={"username": username, "password": password})
    assert response.status_code == 401


def events_of(db_session: Session, username: str) -> list[SecurityEvent]:
    return list(db_session.scalars(select(SecurityEvent).where(
        SecurityEvent.subject == username).order_by(SecurityEvent.occurred_at)))
