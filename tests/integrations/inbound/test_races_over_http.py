"""The same signed delivery sent 8 times at once to a real server (uvicorn on 127.0.0.1,
over its own committed database, SQLite and PostgreSQL): exactly one is processed, every
other answers the documented duplicate (`200 {"status": "duplicate"}` with the same case
reference), never a 500 nor a 409, and one row is written (a fourth outside look at
issue 21: the race handling of `integrations/inbound/races.py` tested through HTTP)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select

from crm_core.cases.models import Case, Service
from crm_core.database.engine import make_engine
from crm_core.telephony.models import Call, CallEvent
from integrations.models import InboxEvent
from integrations.webhooks.signature import signed_headers
from tests.integrations.conftest import SECRET, event_body
from tests.integrations.connectors.ds_server import Ds, dossier, running_ds
from tests.integrations.connectors.wcs_server import form_data, publik_sign
from tests.support.live_server import LiveServer, serve
from tests.support.telephony import SECRETS_ENV, cti, signed

AT_ONCE = 8


WCS_KEY = "cle-partagee-publik-relais"
DS_TOKEN = "jeton-api-ds"
OPEN311_KEY = "cle-fixmaville"


@pytest.fixture
def ds() -> Iterator[Ds]:
    with running_ds(DS_TOKEN) as server:
        yield server


@pytest.fixture
def webhook_server(configure: Any, migrated_database_url: str, ds: Ds,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", SECRETS_ENV)
    configure({"portail": {"kind": "standard", "secrets": [SECRET]},
               "ds": {"kind": "ds", "api_url": ds.url, "token": DS_TOKEN, "demarches": [4242],
                      "default_service": "etat-civil"},
               "publik": {"kind": "wcs", "api_url": "http://127.0.0.1:9", "orig": "relais",
                          "api_key": WCS_KEY, "inbound_orig": "demarches",
                          "services": {"demande-acte": "etat-civil"}}},
              open311_api_keys=[OPEN311_KEY], open311_jurisdiction="ville.example")
    engine = make_engine(migrated_database_url)
    try:
        with serve(engine) as server:
            with server.session() as session:
                session.add_all([
                    Service(code="etat-civil", label="État civil", announced_delay_days=10),
                    Service(code="voirie", label="Voirie", announced_delay_days=5)])
                session.commit()
            yield server
    finally:
        engine.dispose()


def _all_at_once(url: str, body: bytes, headers: dict[str, str]) -> list[httpx.Response]:
    start = threading.Barrier(AT_ONCE)

    def send(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as http:
            start.wait()
            return http.post(url, content=body, headers=headers)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(send, range(AT_ONCE)))


def _count(server: LiveServer, model: type) -> int:
    with server.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _one_processed(server: LiveServer, answers: list[httpx.Response]) -> None:
    assert [a.status_code for a in answers] == [200] * AT_ONCE, [a.text for a in answers]
    statuses = sorted(a.json()["status"] for a in answers)
    assert statuses == ["created"] + ["duplicate"] * (AT_ONCE - 1), statuses
    assert len({a.json()["case_reference"] for a in answers}) == 1
    assert _count(server, Case) == 1
    assert _count(server, InboxEvent) == 1


def test_the_generic_webhook_processes_one_of_eight_identical_deliveries(
    webhook_server: LiveServer,
) -> None:
    body = event_body("DEM-RACE")
    headers = signed_headers(secrets_=[SECRET], msg_id="msg_race", body=body.decode()) | {
        "content-type": "application/json"}
    _one_processed(webhook_server, _all_at_once(
        f"{webhook_server.url}/integrations/webhooks/portail", body, headers))


def test_wcs_processes_one_of_eight_identical_signed_calls(webhook_server: LiveServer) -> None:
    """The same signed URL and body at once: the nonce's twins are redeliveries (they
    answered 409 signed_url_reused, where the other routes answer 200 duplicate)."""
    url = publik_sign(f"{webhook_server.url}/integrations/wcs/publik", WCS_KEY, "demarches")
    body = json.dumps(form_data(31)).encode()
    _one_processed(webhook_server, _all_at_once(url, body,
                                                {"content-type": "application/json"}))


def test_ds_processes_one_of_eight_identical_hints(webhook_server: LiveServer, ds: Ds) -> None:
    """Démarches Simplifiées' hint is unsigned (the dossier is read back with our token):
    the same hint 8 times at once is one dossier read 8 times, one case."""
    ds.dossiers[131] = dossier(131)
    body = urlencode({"procedure_id": "4242", "dossier_id": "131", "state": "en_construction",
                      "updated_at": "2026-11-30 10:00:00 +0100"}).encode()
    _one_processed(webhook_server, _all_at_once(
        f"{webhook_server.url}/integrations/ds/ds", body,
        {"content-type": "application/x-www-form-urlencoded"}))


def test_open311_answers_eight_identical_reports_with_one_request(
    webhook_server: LiveServer,
) -> None:
    """Open311 answers as GeoReport v2 does: the retried report (same `Idempotency-Key`)
    gets the first one's `service_request_id`, 201, and writes nothing."""
    body = urlencode({"api_key": OPEN311_KEY, "jurisdiction_id": "ville.example",
                      "service_code": "voirie", "lat": "48.1113", "long": "-1.6800",
                      "description": "Nid-de-poule dangereux"}).encode()
    answers = _all_at_once(f"{webhook_server.url}/open311/v2/requests.json", body, {
        "content-type": "application/x-www-form-urlencoded", "idempotency-key": "fix-42"})
    assert [a.status_code for a in answers] == [201] * AT_ONCE, [a.text for a in answers]
    assert len({a.json()[0]["service_request_id"] for a in answers}) == 1
    assert _count(webhook_server, Case) == 1


def test_the_pbx_events_route_records_one_of_eight_identical_events(
    webhook_server: LiveServer,
) -> None:
    """A PBX event carries no delivery id: its call and its content are its identity
    (`dedupe_key`); the twins answer its documented duplicate, 202 `duplicate: true`."""
    body, headers = signed(cti("newCall", "call-race", from_="0612345678", user=["201"]))
    answers = _all_at_once(f"{webhook_server.url}/api/v1/telephony/events", body, headers)
    assert [a.status_code for a in answers] == [202] * AT_ONCE, [a.text for a in answers]
    assert sorted(a.json()["duplicate"] for a in answers) == [False] + [True] * (AT_ONCE - 1)
    assert len({a.json()["call"] for a in answers}) == 1
    assert _count(webhook_server, Call) == 1 and _count(webhook_server, CallEvent) == 1
