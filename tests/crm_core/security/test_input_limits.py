"""Request size limits and NUL characters: refused before any route runs, the same way
on both engines, with a problem document."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.residents.models import Resident
from tests.crm_core.security.world import Staff
from tests.support.live_server import LiveServer


@pytest.fixture
def counter(db_session: Session, factories: ModuleType) -> dict[str, str]:
    staff = Staff.make(db_session)
    return staff.headers(Role.COUNTER)


def _residents(db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(Resident)) or 0)


def test_a_declared_oversized_body_is_refused_unread(
    client: TestClient, counter: dict[str, str]
) -> None:
    response = client.post("/api/v1/residents", headers=counter | {
        "content-type": "application/json", "content-length": "5000000"}, content=b"{}")
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"


def test_a_streamed_body_without_length_is_cut_at_the_limit(live_server: LiveServer) -> None:
    """Chunked transfer: no Content-Length to trust, the count is kept while reading."""
    token = httpx.post(
        f"{live_server.url}/api/v1/auth/token",
        data={"username": "accueil", "password": "secret-pass"},
    ).json()["access_token"]

    def chunks() -> Iterator[bytes]:
        yield b'{"given_name": "'
        for _ in range(40):
            yield b"a" * 64_000
        yield b'", "family_name": "Durand", "channel": "counter"}'

    response = httpx.post(f"{live_server.url}/api/v1/residents", content=chunks(),
                          headers={"Authorization": f"Bearer {token}",
                                   "content-type": "application/json"}, timeout=30)
    assert response.status_code == 413
    with live_server.session() as session:
        assert _residents(session) == 0


@pytest.mark.parametrize("body", [
    b'{"given_name": "Camille\\u0000", "family_name": "Durand", "channel": "counter"}',
    b'{"given_name": "Camille\\U0000", "family_name": "Durand", "channel": "counter"}',
    b'{"given_name": "Camille\x00", "family_name": "Durand", "channel": "counter"}',
])
def test_a_nul_character_in_a_json_body_is_refused(
    client: TestClient, counter: dict[str, str], db_session: Session, body: bytes
) -> None:
    before = _residents(db_session)
    response = client.post("/api/v1/residents", content=body,
                           headers=counter | {"content-type": "application/json"})
    assert response.status_code == 422
    assert "caractère nul" in response.json()["detail"]
    assert _residents(db_session) == before


def test_a_nul_character_in_the_query_or_a_form_is_refused(
    client: TestClient, counter: dict[str, str]
) -> None:
    assert client.get("/api/v1/lookup?phone=06%0012", headers=counter).status_code == 422
    signed_in = client.post("/api/v1/auth/token",
                            content=b"username=accueil%00&password=secret",
                            headers={"content-type": "application/x-www-form-urlencoded"})
    assert signed_in.status_code == 422


def test_percent_signs_in_json_text_are_text(
    client: TestClient, counter: dict[str, str]
) -> None:
    # In an address: a name holds no digit nor "%" (crm_core.text.name_problem).
    response = client.post("/api/v1/residents", headers=counter, json={
        "given_name": "Camille", "family_name": "Durand", "address_line": "Bât. 100%00",
        "channel": "counter"})
    assert response.status_code == 201, response.text
    assert response.json()["address_line"] == "Bât. 100%00"
