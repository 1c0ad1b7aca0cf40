from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badge import generate_signing_key, issue_token, new_badge_id
from crm_core.agents.enums import Role
from crm_core.badges.models import Badge
from crm_core.privacy.models import AccessLog
from tests.support.finds import limit_finds

Headers = Callable[[Role], dict[str, str]]


def _issue(client: TestClient, headers: dict[str, str], resident_id: object, **body: object):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/residents/{resident_id}/badges", headers=headers, json=body)


def test_issue_scan_revoke(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = as_role(Role.COUNTER)
    resident = factories.ResidentFactory(given_name="Maëlle", family_name="Perrault")
    issued = _issue(client, headers, resident.id)
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    assert token.startswith("RL1:")
    assert "Maëlle" not in token and "Perrault".upper() not in token

    scanned = client.get("/api/v1/lookup", params={"badge": token}, headers=headers)
    assert scanned.status_code == 200, scanned.text
    body = scanned.json()
    assert body["resident"]["id"] == str(resident.id)
    assert body["matched_badge"]["needs_confirmation"] is False
    assert body["badges"][0]["status"] == "active"
    operations = db_session.scalars(
        select(AccessLog.operation).where(AccessLog.resident_id == resident.id)
    ).all()
    assert "badge_scan" in operations and "issue_badge" in operations

    listed = client.get(f"/api/v1/residents/{resident.id}/badges", headers=headers).json()
    assert [b["status"] for b in listed] == ["active"]
    revoked = client.post(
        f"/api/v1/badges/{issued.json()['id']}/revoke", headers=headers,
        json={"reason": "téléphone perdu"},
    )
    assert revoked.json()["status"] == "revoked"
    with caplog.at_level(logging.WARNING, logger="relais.security"):
        refused = client.get("/api/v1/lookup", params={"badge": token}, headers=headers)
    assert refused.status_code == 410
    assert refused.json()["code"] == "badge_revoked"
    assert "révoqué" in refused.json()["detail"]
    assert "badge refused" in caplog.text


@pytest.mark.parametrize(
    ("make_token", "status", "code"),
    [
        (lambda t: "bonjour", 422, "badge_malformed"),
        (lambda t: t[:60], 422, "badge_malformed"),
        (lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"), 403, None),
        (lambda t: "x" * 390, 422, "badge_malformed"),
    ],
)
def test_bad_tokens_are_refused_with_reasons(
    client: TestClient, factories: ModuleType, as_role: Headers, make_token: Callable[[str], str],
    status: int, code: str | None,
) -> None:
    headers = as_role(Role.COUNTER)
    token = _issue(client, headers, factories.ResidentFactory().id).json()["token"]
    response = client.get("/api/v1/lookup", params={"badge": make_token(token)}, headers=headers)
    assert response.status_code in (status, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    if code:
        assert response.json()["code"] == code


def test_foreign_key_other_city_and_expired(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    headers = as_role(Role.COUNTER)
    later = datetime.now(UTC) + timedelta(days=30)
    stranger_key = generate_signing_key("k1")
    forged = issue_token(key=stranger_key, issuer="00000", badge_id=new_badge_id(),
                         expires_at=later)
    assert client.get("/api/v1/lookup", params={"badge": forged},
                      headers=headers).json()["code"] == "badge_forged"
    unknown_key = issue_token(key=generate_signing_key("k9"), issuer="00000",
                              badge_id=new_badge_id(), expires_at=later)
    assert client.get("/api/v1/lookup", params={"badge": unknown_key},
                      headers=headers).json()["code"] == "badge_unknown_key"
    other_city = issue_token(key=stranger_key, issuer="75056", badge_id=new_badge_id(),
                             expires_at=later)
    assert client.get("/api/v1/lookup", params={"badge": other_city},
                      headers=headers).json()["code"] == "badge_other_issuer"
    issued = _issue(client, headers, factories.ResidentFactory().id).json()
    badge = db_session.get(Badge, issued["id"])
    assert badge is not None
    badge.expires_at = datetime.now(UTC) - timedelta(days=1)  # the server's own expiry wins
    db_session.flush()
    expired = client.get("/api/v1/lookup", params={"badge": issued["token"]}, headers=headers)
    assert (expired.status_code, expired.json()["code"]) == (410, "badge_expired")


def test_card_enrolment_first_use_confirmation(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    headers = as_role(Role.COUNTER)
    resident = factories.ResidentFactory()
    enrolled = _issue(client, headers, resident.id, kind="card", card_uid="04A1B2C3D4E5F6")
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["token"] is None
    stored = db_session.scalars(select(Badge.card_uid_hash)).all()
    assert all("04A1B2C3D4E5F6".lower() not in (h or "") for h in stored)
    again = _issue(client, headers, factories.ResidentFactory().id, kind="card",
                   card_uid="04a1b2c3d4e5f6")
    assert again.status_code == 409
    badge = db_session.get(Badge, enrolled.json()["id"])
    assert badge is not None
    badge.confirmed_at = None  # e.g. a card enrolled online, never seen at a counter
    db_session.flush()
    tapped = client.get("/api/v1/lookup", params={"card": "04A1B2C3D4E5F6"}, headers=headers)
    assert tapped.json()["matched_badge"]["needs_confirmation"] is True
    client.post(f"/api/v1/badges/{badge.id}/confirm", headers=headers)
    tapped = client.get("/api/v1/lookup", params={"card": "04a1b2c3d4e5f6"}, headers=headers)
    assert tapped.json()["matched_badge"]["needs_confirmation"] is False
    unknown = client.get("/api/v1/lookup", params={"card": "0102030405"}, headers=headers)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "card_not_enrolled")
    assert client.get("/api/v1/lookup", params={"card": "zz"}, headers=headers).status_code == 422
    assert _issue(client, headers, resident.id, kind="card").status_code == 422
    assert client.post("/api/v1/badges/nope/revoke", headers=headers).status_code == 404


def test_a_badge_named_by_its_id_is_found_as_a_lookup_finds_it(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    """A badge id leads to its holder's file: revoking or confirming by id is stopped by
    the lookup lock, and an id naming nothing counts as a lookup that found nobody
    (outside test of issue 20)."""
    limit_finds(monkeypatch, request, misses=2)
    headers = as_role(Role.COUNTER)
    issued = _issue(client, headers, factories.ResidentFactory().id)
    assert issued.status_code == 201, issued.text
    badge_id = issued.json()["id"]
    for action in ("revoke", "confirm"):
        missed = client.post(f"/api/v1/badges/{new_badge_id().hex()}/{action}", headers=headers)
        assert missed.status_code == 404, missed.text
    for action in ("revoke", "confirm"):
        locked = client.post(f"/api/v1/badges/{badge_id}/{action}", headers=headers)
        assert locked.status_code == 429, locked.text
    db_session.expire_all()
    badge = db_session.get(Badge, badge_id)
    assert badge is not None and badge.revoked_at is None
