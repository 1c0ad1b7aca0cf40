"""Connector fixtures: configured sources, a signed-delivery helper, the app and client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import ModuleType
from typing import Any
from typing import Any as Response  # the TestClient answer (httpx or httpx2, by version)

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.config import Settings, session_settings
from integrations.outbox import hooks
from integrations.settings import IntegrationSettings
from integrations.webhooks.signature import new_secret, signed_headers
from tests import factories as factory_module
from tests.support.apps import app_under_test, use_settings

SECRET = new_secret()
OLD_SECRET = new_secret()


@pytest.fixture(autouse=True)
def _integration_settings(request: pytest.FixtureRequest) -> None:
    """The outbox listener installed, and the test's session holding the settings (as the
    server's sessions do), for it to read."""
    hooks.install()
    if "db_session" in request.fixturenames:
        request.getfixturevalue("db_session").info.update(Settings().session_info())


def connector_settings(db_session: Session) -> IntegrationSettings:
    """The connectors' section of the settings the test's session holds (`configure`)."""
    settings = session_settings(db_session)
    assert settings is not None, "the test's session holds no settings"
    return settings.section(IntegrationSettings)


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch,
              request: pytest.FixtureRequest) -> Callable[..., None]:
    """configure(portail={...}, **settings): RELAIS_* variables for the connectors, and
    the one `Settings` built again from them for the test's session and application."""

    def apply(sources: dict[str, Any] | None = None, **settings: Any) -> None:
        if sources is not None:
            monkeypatch.setenv("RELAIS_WEBHOOK_SOURCES", json.dumps(sources))
        for name, value in settings.items():
            text = value if isinstance(value, str) else json.dumps(value)
            monkeypatch.setenv(f"RELAIS_{name.upper()}", text)
        rebuilt = Settings()
        if "db_session" in request.fixturenames:
            request.getfixturevalue("db_session").info.update(rebuilt.session_info())
        if "app" in request.fixturenames:
            use_settings(request.getfixturevalue("app"), rebuilt)

    return apply


@pytest.fixture
def portal(configure: Callable[..., None]) -> str:
    """A generic platform "portail" with two active secrets (a rotation under way)."""
    configure({"portail": {"kind": "standard", "secrets": [SECRET, OLD_SECRET]}})
    return "portail"


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


def event_body(
    external_id: str = "DEM-1001", *, type_: str = "case.submitted", status: str | None = None,
    service: str | None = "etat-civil", updated_at: str | None = None, **resident: Any,
) -> bytes:
    person = {"given_name": "Camille", "family_name": "Durand", "birth_date": "1984-03-12",
              **resident}
    data: dict[str, Any] = {"id": external_id, "subject": "Acte de naissance",
                            "description": "Copie intégrale", "resident": person}
    if service:
        data["service"] = service
    if status:
        data["status"] = status
    if updated_at:
        data["updated_at"] = updated_at
    now = datetime.now(UTC).isoformat()
    return json.dumps({"type": type_, "timestamp": now, "data": data}).encode()


def post_signed(
    client: TestClient, source: str, body: bytes, *, msg_id: str = "msg_1",
    secret: str = SECRET, timestamp: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    signed = signed_headers(secrets_=[secret], msg_id=msg_id, body=body.decode(),
                            timestamp=timestamp)
    signed.update(headers or {})
    return client.post(f"/integrations/webhooks/{source}", content=body, headers=signed)
