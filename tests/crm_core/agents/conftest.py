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


def first_sign_in(client: TestClient, username: str, password: str = STRONG,
                  new_password: str = "mon-propre-Secret-2026") -> dict[str, str]:
    """Signs in with a password someone else set, which must be replaced first: changes
    it, and returns the session's headers, now free to do what the role allows."""
    headers = sign_in(client, username, password)
    changed = client.post("/api/v1/auth/password", headers=headers, json={
        "current_password": password, "new_password": new_password})
    assert changed.status_code == 204, changed.text
    return headers


def cannot_sign_in(client: TestClient, username: str, password: str = STRONG) -> None:
    response = client.post("/api/v1/auth/token",
                           data={"username": username, "password": password})
    assert response.status_code == 401


def events_of(db_session: Session, username: str) -> list[SecurityEvent]:
    return list(db_session.scalars(select(SecurityEvent).where(
        SecurityEvent.subject == username).order_by(SecurityEvent.occurred_at)))
