from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from tests import factories as factory_module
from tests.support.apps import app_under_test


@pytest.fixture
def factories(db_session: Session) -> Iterator[ModuleType]:
    factory_module.bind(db_session)
    yield factory_module
    factory_module.bind(None)


@pytest.fixture
def app(engine: Engine, db_session: Session) -> FastAPI:
    return app_under_test(engine, db_session)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def sign_in(client: TestClient, username: str, password: str = "secret-pass") -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def as_role(client: TestClient, factories: ModuleType) -> object:
    """as_role(Role.COUNTER) -> auth headers of a fresh agent with that role."""

    def make(role: Role = Role.COUNTER) -> dict[str, str]:
        agent = factories.AgentFactory(role=role)
        return sign_in(client, agent.username)

    return make
