"""Secrets never reach a log: every log record written (DEBUG and up, every logger) while
agents sign in and out, badges are scanned and platforms call in — signed, keyed, or
forged — is searched for every password, token and secret involved."""

from __future__ import annotations

import json
import logging
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.agents.service import create_agent
from crm_core.config import Settings
from integrations.webhooks.signature import new_secret, signed_headers
from tests.crm_core.security.world import Staff, World
from tests.support.apps import use_settings
from tests.support.telephony import SECRET as PBX_SECRET
from tests.support.telephony import SECRETS_ENV, cti, signed

PASSWORD = "Mdp-7Kq!unique-42"
WRONG_PASSWORD = "Faux-9Zx!passe-17"
API_KEY = "cle-open311-tres-secrete-5531"


def test_no_password_token_or_secret_is_ever_logged(
    client: TestClient, db_session: Session, factories: ModuleType,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    webhook_secret = new_secret()
    monkeypatch.setenv("RELAIS_WEBHOOK_SOURCES", json.dumps(
        {"portail": {"kind": "standard", "secrets": [webhook_secret]}}))
    monkeypatch.setenv("RELAIS_OPEN311_API_KEYS", json.dumps([API_KEY]))
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", SECRETS_ENV)
    use_settings(client.app, Settings(), db_session)  # type: ignore[arg-type]
    staff = Staff.make(db_session)
    world = World(db_session, staff)
    create_agent(db_session=db_session, username="guichet.logs", display_name="Guichet",
                 password=PASSWORD, role=Role.COUNTER, site_code=staff.home.code)
    db_session.commit()
    caplog.set_level(logging.DEBUG)
    secrets = [PASSWORD, WRONG_PASSWORD, API_KEY, webhook_secret,
               webhook_secret.removeprefix("whsec_"), PBX_SECRET]

    # agents: a wrong password, a right one, a session used then closed
    login = {"username": "guichet.logs", "password": WRONG_PASSWORD}
    assert client.post("/api/v1/auth/token", data=login).status_code == 401
    signed_in = client.post("/api/v1/auth/token",
                            data={"username": "guichet.logs", "password": PASSWORD})
    token = signed_in.json()["access_token"]
    secrets.append(token)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    assert client.get("/api/v1/auth/me",
                      headers={"Authorization": f"Bearer {token}x"}).status_code == 401

    # badges: the token shown once, scanned; a forged one
    issued = client.post(f"/api/v1/residents/{world.resident_id}/badges", headers=bearer,
                         json={}).json()
    secrets.append(issued["token"])
    assert client.get("/api/v1/lookup", params={"badge": issued["token"]},
                      headers=bearer).status_code == 200
    forged = issued["token"][:-6] + "AAAAAA"
    assert client.get("/api/v1/lookup", params={"badge": forged},
                      headers=bearer).status_code != 200

    # platforms: a signed webhook and a forged signature
    body = json.dumps({"type": "case.submitted", "timestamp": "2026-12-01T10:00:00+00:00",
                       "data": {"id": "DEM-1"}})
    headers = signed_headers(secrets_=[webhook_secret], msg_id="msg_logs", body=body)
    secrets.append(headers["webhook-signature"].split(",", 1)[1])
    client.post("/integrations/webhooks/portail", content=body, headers=headers)
    headers["webhook-signature"] = "v1,AAAA" + headers["webhook-signature"][7:]
    assert client.post("/integrations/webhooks/portail", content=body,
                       headers=headers).status_code in (400, 401, 403)

    # a PBX event, signed; one with the wrong secret
    event, pbx_headers = signed(cti("newCall", "call-logs-1"))
    assert client.post("/api/v1/telephony/events", content=event,
                       headers=pbx_headers).status_code == 202
    event, pbx_headers = signed(cti("newCall", "call-logs-2"), secret="pas-le-bon-secret-123")
    assert client.post("/api/v1/telephony/events", content=event,
                       headers=pbx_headers).status_code == 401

    # Open311, with the key and with a wrong one
    for key in (API_KEY, API_KEY + "-faux"):
        client.post("/open311/v2/requests.json",
                    data={"api_key": key, "service_code": "voirie", "description": "Trou"})

    assert client.post("/api/v1/auth/logout", headers=bearer).status_code == 204
    logged = caplog.text + "\n".join(str(record.args) for record in caplog.records)
    assert "badge refused" in logged and "webhook refused" in logged  # the logs did run
    leaked = [secret[:6] + "…" for secret in secrets if secret in logged]
    assert not leaked, f"secrets found in the logs: {leaked}"
