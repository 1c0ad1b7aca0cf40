"""Rate limits and lock-outs: sign-in, lookups (a counter scanning random badge tokens),
the unsigned Démarches Simplifiées hint and Open311 posts. Counters live in the database:
two servers on one database enforce one limit."""

from __future__ import annotations

import secrets
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badge.b45 import b45decode, b45encode
from badge.token import TOKEN_PREFIX
from crm_core.agents.enums import Role
from crm_core.config.security import SecuritySettings
from crm_core.security.enums import EventKind
from crm_core.security.models import SecurityEvent
from tests.crm_core.security.world import Staff, World
from tests.support.finds import reread_settings
from tests.support.live_server import LiveServer, serve


def _sign_in(client: TestClient | httpx.Client, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _assert_429(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 900


def _events(db_session: Session, kind: EventKind) -> list[SecurityEvent]:
    return list(db_session.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind)))


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    agent = factories.AgentFactory(role=Role.COUNTER)
    db_session.commit()
    for _ in range(5):
        assert _sign_in(client, agent.username, "mauvais").status_code == 401
    locked = _sign_in(client, agent.username, "secret-pass")
    _assert_429(locked)
    # Issue 20, fifth outside test: it sent the agent to an administrator who, as
    # SECURITY.md says, cannot unlock it.
    assert "administrateur" not in locked.json()["detail"]
    assert "le blocage se lève seul" in locked.json()["detail"]
    _assert_429(_sign_in(client, agent.username.upper() + " ", "secret-pass"))  # same account
    [event] = _events(db_session, EventKind.SIGN_IN_LOCKED)
    assert event.subject == agent.username
    assert "secret-pass" not in event.detail and "mauvais" not in event.detail
    other = factories.AgentFactory(role=Role.COUNTER)
    db_session.commit()
    assert _sign_in(client, other.username, "secret-pass").status_code == 200  # others unaffected


def test_password_spraying_from_one_address_is_cut(
    client: TestClient, db_session: Session, factories: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RELAIS_SIGN_IN_FAILURES_PER_ADDRESS", "8")
    reread_settings(client.app)
    agents = [factories.AgentFactory(role=Role.COUNTER) for _ in range(5)]
    db_session.commit()
    for agent in agents[:4]:
        for _ in range(2):
            assert _sign_in(client, agent.username, "motdepasse1").status_code == 401
    _assert_429(_sign_in(client, agents[4].username, "secret-pass"))
    assert [e.subject for e in _events(db_session, EventKind.SIGN_IN_LOCKED)] == [
        "adresse testclient"]


def test_a_lock_holds_across_api_processes(live_server: LiveServer) -> None:
    """Two servers on one database: failures on either count towards the same lock."""
    with serve(live_server.engine) as second, httpx.Client(base_url=live_server.url) as one, \
            httpx.Client(base_url=second.url) as two:
        for client in (one, two, one, two, one):
            assert _sign_in(client, "accueil", "faux").status_code == 401
        _assert_429(_sign_in(two, "accueil", "secret-pass"))
        _assert_429(_sign_in(one, "accueil", "secret-pass"))


def _forged(token: str) -> str:
    """`token` with a random signature: a badge's shape, but no badge of Relais."""
    raw = bytearray(b45decode(token.removeprefix(TOKEN_PREFIX)))
    raw[-64:] = secrets.token_bytes(64)
    return TOKEN_PREFIX + b45encode(bytes(raw))


def test_a_counter_scanning_random_tokens_is_stopped_and_reported(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    staff = Staff.make(db_session)
    world = World(db_session, staff)
    headers = staff.headers(Role.COUNTER)
    issued = client.post(f"/api/v1/residents/{world.resident_id}/badges", headers=headers,
                         json={})
    good_token = issued.json()["token"]
    statuses = []
    for _ in range(60):
        forged = _forged(good_token)  # well-formed, signed by nobody: a guess, it counts
        statuses.append(client.get("/api/v1/lookup", params={"badge": forged},
                                   headers=headers).status_code)
    limit = SecuritySettings().lookup_misses_per_agent
    assert all(status != 200 and status != 429 for status in statuses[:limit])
    assert set(statuses[limit:]) == {429}
    # Stopped means stopped: a genuine badge is refused too until the window ends ...
    _assert_429(client.get("/api/v1/lookup", params={"badge": good_token}, headers=headers))
    # ... for this agent only: a colleague scans normally.
    colleague = staff.headers(Role.COUNTER, "other")
    found = client.get("/api/v1/lookup", params={"badge": good_token}, headers=colleague)
    assert found.status_code == 200
    # Reported once, to supervisors and admins.
    [event] = _events(db_session, EventKind.LOOKUP_SCAN)
    assert event.agent_id == staff.agents[Role.COUNTER, "home"].id
    assert good_token not in event.detail
    for role in (Role.SUPERVISOR, Role.ADMIN):
        listed = client.get("/api/v1/security/events", headers=staff.headers(role)).json()
        assert [e["kind"] for e in listed] == ["lookup_scan"]
    assert client.get("/api/v1/security/events", headers=colleague).status_code == 403


@pytest.mark.parametrize(("kind", "typed"), [
    ("phone", "06 12 ab"), ("email", "camille@"), ("reference", "???"),
    ("badge", "RL1:not-a-token"), ("card", "zz"), ("account", "sans-deux-points"),
])
def test_a_malformed_lookup_is_refused_without_counting_towards_the_lock(
    client: TestClient, db_session: Session, factories: ModuleType,
    monkeypatch: pytest.MonkeyPatch, kind: str, typed: str,
) -> None:
    """Fourth outside look at issue 21: an agent who mistyped was locked out as if
    enumerating. Only a well-formed lookup that finds nobody counts."""
    monkeypatch.setenv("RELAIS_LOOKUP_MISSES_PER_AGENT", "3")
    reread_settings(client.app)
    staff = Staff.make(db_session)
    headers = staff.headers(Role.COUNTER)
    for _ in range(6):
        refused = client.post("/api/v1/lookup", json={kind: typed}, headers=headers)
        assert refused.status_code == 422, refused.text
    assert _events(db_session, EventKind.LOOKUP_SCAN) == []
    for _ in range(3):  # well-formed, nobody: these count, and lock
        assert client.post("/api/v1/lookup", json={"phone": "0299999999"},
                           headers=headers).status_code == 404
    _assert_429(client.post("/api/v1/lookup", json={"phone": "0299999999"}, headers=headers))


def test_families_sharing_a_number_are_not_misses(
    client: TestClient, db_session: Session, factories: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RELAIS_LOOKUP_MISSES_PER_AGENT", "3")
    reread_settings(client.app)
    staff = Staff.make(db_session)
    for given in ("Camille", "Marc"):
        resident = factories.ResidentFactory(given_name=given)
        factories.ContactPointFactory(resident=resident, value="+33299001122")
    db_session.commit()
    headers = staff.headers(Role.PHONE)
    for _ in range(5):
        shared = client.get("/api/v1/lookup", params={"phone": "0299001122"}, headers=headers)
        assert shared.status_code == 409


def test_the_unsigned_ds_hint_is_throttled_per_address(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, db_session: Session
) -> None:
    monkeypatch.setenv("RELAIS_DS_HINTS_PER_ADDRESS", "3")
    reread_settings(client.app)
    form = {"procedure_id": "1", "dossier_id": "2"}
    for _ in range(3):
        assert client.post("/integrations/ds/inconnue", data=form).status_code == 404
    _assert_limited_briefly(client.post("/integrations/ds/inconnue", data=form))
    assert [e.kind for e in db_session.scalars(select(SecurityEvent))] == [
        EventKind.INBOUND_FLOOD]


def test_open311_posts_are_throttled_per_address(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELAIS_OPEN311_POSTS_PER_ADDRESS", "2")
    reread_settings(client.app)
    for _ in range(2):
        assert client.post("/open311/v2/requests.json",
                           data={"service_code": "voirie"}).status_code == 403
    _assert_limited_briefly(client.post("/open311/v2/requests.json",
                                        data={"service_code": "voirie"}))


def _assert_limited_briefly(response: Any) -> None:
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_one_address_cannot_lock_an_agent_out(
    app: Any, client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    """Failures from one address lock that address out of the account, not the agent: they
    count against the account only up to the pair's limit (sliding windows), and only
    failures from several addresses lock the account everywhere."""
    agent = factories.AgentFactory(role=Role.COUNTER)
    db_session.commit()
    with TestClient(app, raise_server_exceptions=False, client=("203.0.113.9", 4000)) as rogue:
        for _ in range(5):
            assert _sign_in(rogue, agent.username, "mauvais").status_code == 401
        for _ in range(10):  # refused before any password check: the account is not fed
            _assert_429(_sign_in(rogue, agent.username, "secret-pass"))
    assert _sign_in(client, agent.username, "secret-pass").status_code == 200  # their desk
    [event] = _events(db_session, EventKind.SIGN_IN_LOCKED)
    assert "203.0.113.9" in event.detail and "mauvais" not in event.detail
    limit = SecuritySettings().sign_in_failures_per_account
    for n in range((limit - 5) // 5):  # distributed: with the rogue, the account limit
        with TestClient(app, raise_server_exceptions=False,
                        client=(f"198.51.100.{n}", 4000)) as bot:
            for _ in range(5):
                assert _sign_in(bot, agent.username, "mauvais").status_code == 401
    _assert_429(_sign_in(client, agent.username, "secret-pass"))
    assert any("plusieurs adresses" in e.detail
               for e in _events(db_session, EventKind.SIGN_IN_LOCKED))
