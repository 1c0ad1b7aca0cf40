"""The find limits of `crm_core.security` set low for one test, and an agent locked out of
finds as scanning random badges locks them out."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from crm_core.config import Settings


def reread_settings(app: Any) -> None:
    """The application's one `Settings` built again from the environment, after a test
    changed it (`app_under_test` puts the usual one back for the next test)."""
    app.state.settings = Settings()


def limit_finds(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, *,
                misses: int = 30, finds: int = 120) -> None:
    """Lookups that may find nobody, and finds, per agent, for this test's application."""
    monkeypatch.setenv("RELAIS_LOOKUP_MISSES_PER_AGENT", str(misses))
    monkeypatch.setenv("RELAIS_FINDS_PER_AGENT", str(finds))
    reread_settings(request.getfixturevalue("app"))


def lock_out(client: TestClient, headers: dict[str, str], *, misses: int) -> None:
    """As many lookups finding nobody as the limit set by `limit_finds`: locked."""
    for _ in range(misses):
        missed = client.post("/api/v1/lookup", json={"phone": "0299999999"}, headers=headers)
        assert missed.status_code == 404, missed.text
