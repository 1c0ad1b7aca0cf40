"""The find limits of `crm_core.security` set low for one test, and an agent locked out of
finds as scanning random badges locks them out."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from crm_core.security.policy import get_security_settings


def limit_finds(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, *,
                misses: int = 30, finds: int = 120) -> None:
    """Lookups that may find nobody, and finds, per agent; back to the defaults after."""
    monkeypatch.setenv("RELAIS_LOOKUP_MISSES_PER_AGENT", str(misses))
    monkeypatch.setenv("RELAIS_FINDS_PER_AGENT", str(finds))
    get_security_settings.cache_clear()
    request.addfinalizer(get_security_settings.cache_clear)


def lock_out(client: TestClient, headers: dict[str, str], *, misses: int) -> None:
    """As many lookups finding nobody as the limit set by `limit_finds`: locked."""
    for _ in range(misses):
        missed = client.post("/api/v1/lookup", json={"phone": "0299999999"}, headers=headers)
        assert missed.status_code == 404, missed.text
