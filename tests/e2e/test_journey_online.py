"""Journey 1, online half, end to end over loopback: the resident signs in with the city's
online account (a real OpenID provider), files a request on an e-services platform whose
signed webhook puts it in their history, an agent closes it through the API, and the
platform receives the new status, signed, exactly once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from crm_core.cases.schemas import ServiceCreate
from crm_core.cases.service import create_service
from integrations.outbox.platforms import PlatformTransport
from integrations.outbox.transport import HttpTransport
from integrations.outbox.worker import deliver_due
from integrations.settings import IntegrationSettings
from integrations.webhooks.signature import new_secret, signed_headers
from tests.integrations.oidc.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    node_available,
    running_provider,
    sign_in,
)
from tests.integrations.receiver import Receiver, running_receiver
from tests.support.required import missing

INBOUND_SECRET = new_secret()
OUTBOUND_SECRET = new_secret()


@pytest.fixture
def platform() -> Iterator[Receiver]:
    with running_receiver(OUTBOUND_SECRET) as receiver:
        yield receiver


def test_started_online_closed_at_the_counter_told_to_the_platform(
    live_server: Any, platform: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not node_available():
        missing("node and tests/integrations/oidc/node_modules are needed (npm ci)")
    with live_server.session() as session:
        create_service(db_session=session, data=ServiceCreate(
            code="etat-civil", label="État civil", announced_delay_days=10))
        session.commit()
    callback = f"{live_server.url}/integrations/account/callback"
    with running_provider(callback) as provider, httpx.Client(
            base_url=live_server.url, timeout=10) as relais:
        for name, value in {
            "WEBHOOK_SOURCES": json.dumps({"portail": {
                "secrets": [INBOUND_SECRET], "outbound_url": platform.url,
                "outbound_secret": OUTBOUND_SECRET}}),
            "OUTBOUND_ALLOW_PRIVATE": "true", "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_REDIRECT_URI": callback, "OIDC_IDENTITY_VERIFIED": "true",
        }.items():
            monkeypatch.setenv(f"RELAIS_{name}", value)
        live_server.reread_settings()

        # 1. The resident signs in with the online account: a new, linked record.
        signed_in = sign_in(lambda path: relais.get(path, follow_redirects=False), "camille")
        assert signed_in.status_code == 200, signed_in.text
        account = signed_in.json()
        assert account["outcome"] == "created"

        # 2. They file a request on the platform, which tells Relais (Standard Webhooks).
        body = json.dumps({"type": "case.submitted", "timestamp": "2026-12-01T09:00:00Z",
                           "data": {"id": "DEM-2026-0042", "service": "etat-civil",
                                    "subject": "Copie intégrale d'acte de naissance",
                                    "resident": {"account": {"subject": account["subject"]},
                                                 "given_name": "Camille",
                                                 "family_name": "Durand"}}})
        headers = signed_headers(secrets_=[INBOUND_SECRET], msg_id="msg_portail_0042",
                                 body=body)
        received = relais.post("/integrations/webhooks/portail", content=body,
                               headers=headers)
        assert received.status_code == 200, received.text
        assert received.json()["resident_match"] == "account"
        reference = received.json()["case_reference"]

        # 3. At the counter, the agent sees it in the resident's history, and closes it.
        token = relais.post("/api/v1/auth/token",
                            data={"username": "accueil", "password": "secret-pass"}).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        summary = relais.get(f"/api/v1/residents/{account['resident_id']}/summary",
                             headers=auth).json()
        [case] = summary["open_cases"]
        assert (case["reference"], case["origin_channel"], case["external_id"]) == (
            reference, "web", "DEM-2026-0042")
        assert summary["recent_interactions"][0]["outcome"] == "submitted_online"
        closed = relais.patch(f"/api/v1/cases/{reference}", headers=auth,
                              json={"status": "closed", "note": "Acte remis en main propre"})
        assert closed.status_code == 200, closed.text

    # 4. The delivery worker tells the platform, signed; a second pass sends nothing more.
    city = live_server.app.state.settings
    settings = city.section(IntegrationSettings)
    transport = PlatformTransport(webhooks=HttpTransport(timeout=5, allow_private=True))
    from crm_core.database.engine import make_session_factory

    factory = make_session_factory(live_server.engine, city.session_info())
    assert deliver_due(session_factory=factory, transport=transport,
                       settings=settings).delivered == 1
    assert deliver_due(session_factory=factory, transport=transport,
                       settings=settings).claimed == 0
    [event] = platform.applied.values()
    assert event["type"] == "case.status_changed"
    assert (event["data"]["id"], event["data"]["status"], event["data"]["channel"]) == (
        "DEM-2026-0042", "closed", "counter")
    assert platform.refused == [] and sum(platform.received.values()) == 1
