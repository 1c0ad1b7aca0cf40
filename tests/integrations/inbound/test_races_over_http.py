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

import httpx
import pytest
from sqlalchemy import func, select

from crm_core.cases.models import Case, Service
from crm_core.database.engine import make_engine
from integrations.models import InboxEvent
from integrations.webhooks.signature import signed_headers
from tests.integrations.conftest import SECRET, event_body
from tests.integrations.connectors.wcs_server import form_data, publik_sign
from tests.support.live_server import LiveServer, serve

AT_ONCE = 8


WCS_KEY = "cle-partagee-publik-relais"


@pytest.fixture
def webhook_server(configure: Any, migrated_database_url: str) -> Iterator[LiveServer]:
    configure({"portail": {"kind": "standard", "secrets": [SECRET]},
               "publik": {"kind": "wcs", "api_url": "http://127.0.0.1:9", "orig": "relais",
                          "api_key": WCS_KEY, "inbound_orig": "demarches",
                          "services": {"demande-acte": "etat-civil"}}})
    engine = make_engine(migrated_database_url)
    try:
        with serve(engine) as server:
            with server.session() as session:
                session.add(Service(code="etat-civil", label="État civil", announced_delay_days=10))
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
