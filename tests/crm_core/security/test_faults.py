"""Faults under load: the API process SIGKILLed, the outbox worker SIGKILLed, PostgreSQL
restarted (immediate stop: a crash), while counters check residents in and record visits,
phone agents record calls and a platform sends webhooks — all on 127.0.0.1, on the
test's OWN throwaway PostgreSQL cluster (durable settings: fsync and synchronous commit
on), never the suite's shared one.

Clients retry what was not acknowledged, with the same idempotency key or webhook-id, as
the real clients do. Afterwards: every acknowledged write is there, none twice, no 500
was ever answered, and the outbox drains to the platform.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from benchmarks.pgcluster import PostgresCluster, PostgresUnavailable, running_cluster
from crm_core.agents.enums import Role, SiteKind
from crm_core.agents.service import create_agent, create_site
from crm_core.cases.models import Case, CaseStatusChange, Service
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade
from crm_core.interactions.models import Interaction
from crm_core.queue.models import QueueTicket
from crm_core.residents.models import Resident
from integrations.enums import OutboxStatus
from integrations.models import OutboxEvent
from integrations.webhooks.signature import new_secret, signed_headers
from tests.crm_core.security.faults_support import Supervised, free_port
from tests.integrations.receiver import running_receiver
from tests.support.clock import python_command

LOAD_SECONDS = 24
RESIDENTS = 400


@dataclass
class Ledger:
    """What the server acknowledged (2xx), and every status it answered."""

    visits: set[str] = field(default_factory=set)  # idempotency keys
    tickets: dict[str, str] = field(default_factory=dict)  # resident -> ticket id
    cases: dict[str, str] = field(default_factory=dict)  # external id -> reference
    statuses: list[int] = field(default_factory=list)
    unreachable: int = 0  # requests that met a dead server or a dead database
    lock: threading.Lock = field(default_factory=threading.Lock)


def _retrying(ledger: Ledger, send: Callable[[], httpx.Response], deadline: float
              ) -> httpx.Response | None:
    """Send until acknowledged; connection errors and 503 are retried (the same request,
    so the same idempotency key). Gives up at `deadline` (the write is then unknown)."""
    while time.monotonic() < deadline:
        try:
            response = send()
        except httpx.HTTPError:
            with ledger.lock:
                ledger.unreachable += 1
            time.sleep(0.2)
            continue
        with ledger.lock:
            ledger.statuses.append(response.status_code)
        if response.status_code < 300:
            return response
        if response.status_code in (503, 409):  # busy, or the same key being recorded
            time.sleep(0.2)
            continue
        raise AssertionError(f"unexpected {response.status_code}: {response.text[:300]}")
    return None


@contextlib.contextmanager
def _world(cluster: PostgresCluster) -> Iterator[tuple[str, list[str]]]:
    url = cluster.create_database("relais_faults")
    engine = make_engine(url)
    try:
        upgrade(engine)
        with make_session_factory(engine)() as session:
            create_site(db_session=session, code="hdv", name="Hôtel de ville",
                        kind=SiteKind.TOWN_HALL)
            for name, role in (("accueil", Role.COUNTER), ("telephone", Role.PHONE)):
                create_agent(db_session=session, username=name, display_name=name,
                             password="secret-pass", role=role, site_code="hdv")
            session.add(Service(code="etat-civil", label="État civil", announced_delay_days=5))
            residents = [Resident(given_name=f"Prénom{i}", family_name="Durand",
                                  given_name_key=f"prenom{i}", family_name_key="durand",
                                  status="active") for i in range(RESIDENTS)]
            session.add_all(residents)
            session.commit()
            ids = [str(r.id) for r in residents]
    finally:
        engine.dispose()
    yield url, ids


def _token(base: str, username: str) -> str:
    for _ in range(100):
        with contextlib.suppress(httpx.HTTPError):
            answer = httpx.post(f"{base}/api/v1/auth/token",
                                data={"username": username, "password": "secret-pass"})
            if answer.status_code == 200:
                return str(answer.json()["access_token"])
        time.sleep(0.2)
    raise RuntimeError("no token")


def _visits(base: str, token: str, ids: list[str], ledger: Ledger, stop: threading.Event,
            channel: str) -> None:
    with httpx.Client(base_url=base, timeout=10,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        while not stop.is_set():
            key = f"{channel}-{uuid.uuid4()}"
            body = {"resident_id": random.choice(ids), "outcome": "informed",
                    "channel": channel, "idempotency_key": key}
            if _retrying(ledger, lambda body=body: client.post(  # type: ignore[misc]
                    "/api/v1/interactions", json=body), time.monotonic() + 60):
                with ledger.lock:
                    ledger.visits.add(key)


def _check_ins(base: str, token: str, ids: list[str], ledger: Ledger,
               stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=10,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        for resident_id in ids:
            if stop.is_set():
                return
            body = {"service_code": "etat-civil", "resident_id": resident_id}
            answer = _retrying(ledger, lambda body=body: client.post(  # type: ignore[misc]
                "/api/v1/queue/tickets", json=body), time.monotonic() + 60)
            if answer is not None:
                with ledger.lock:
                    ledger.tickets[resident_id] = answer.json()["id"]


def _platform(base: str, token: str, secret: str, ledger: Ledger,
              stop: threading.Event) -> None:
    """A platform submitting requests; an agent then takes each in hand (the status change
    goes back to the platform through the outbox)."""
    agent = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=10) as client:
        number = 0
        while not stop.is_set():
            number += 1
            external = f"DEM-{number}"
            spelt = str(number).translate(str.maketrans("0123456789", "abcdefghij"))  # no digit
            body = json.dumps({"type": "case.submitted", "timestamp": "2026-12-01T10:00:00Z",
                               "data": {"id": external, "subject": "Acte de naissance",
                                        "service": "etat-civil",
                                        "resident": {"given_name": "Usager " + spelt,
                                                     "family_name": "Martin"}}})
            msg = f"msg_{number}"

            def deliver(body: str = body, msg: str = msg) -> httpx.Response:
                return client.post("/integrations/webhooks/portail", content=body,
                                   headers=signed_headers(secrets_=[secret], msg_id=msg,
                                                          body=body))

            answer = _retrying(ledger, deliver, time.monotonic() + 60)
            if answer is None:
                continue
            reference = answer.json()["case_reference"]
            def take(reference: str = reference) -> httpx.Response:
                change = {"status": "in_progress", "channel": "web", "note": "Pris en charge"}
                response = client.patch(f"/api/v1/cases/{reference}", json=change,
                                        headers=agent)
                if response.status_code in (409, 422):  # a retry of a change that landed
                    current = client.get(f"/api/v1/cases/{reference}", headers=agent)
                    if current.json().get("status") == "in_progress":
                        return current
                return response

            if _retrying(ledger, take, time.monotonic() + 60):
                with ledger.lock:
                    ledger.cases[external] = reference


def test_acknowledged_writes_survive_kills_and_a_database_crash() -> None:
    try:
        cluster_context = running_cluster(tuned_for_tests=False)
        cluster = cluster_context.__enter__()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    inbound, outbound = new_secret(), new_secret()
    try:
        with _world(cluster) as (url, ids), running_receiver(outbound) as receiver:
            port = free_port()
            env = os.environ | {
                "RELAIS_DATABASE_URL": url, "RELAIS_DEMO_MODE": "false",
                "RELAIS_WEBHOOK_SOURCES": json.dumps({"portail": {
                    "kind": "standard", "secrets": [inbound], "outbound_url": receiver.url,
                    "outbound_secret": outbound, "default_service": "etat-civil"}}),
                "RELAIS_OUTBOUND_ALLOW_PRIVATE": "true",
                "RELAIS_OUTBOUND_LEASE_SECONDS": "4", "RELAIS_OUTBOUND_TIMEOUT_SECONDS": "2",
                # The load is one agent for as long as it takes: the faster the machine,
                # the more finds; the limit on finds is another test's (test_abuse).
                "RELAIS_FINDS_PER_AGENT": "1000000", "RELAIS_LOOKUP_MISSES_PER_AGENT": "1000000",
            }
            cli = python_command("-m", "crm_core.app.launcher")
            api = Supervised([*cli, "serve", "--port", str(port)], env)
            worker = Supervised([*cli, "worker", "--interval", "0.2"], env)
            base = f"http://127.0.0.1:{port}"
            try:
                _run_load_with_faults(base, api, worker, cluster, ids, inbound, url, receiver)
            finally:
                api.stop()
                worker.stop()
    finally:
        cluster_context.__exit__(None, None, None)


def _run_load_with_faults(base: str, api: Supervised, worker: Supervised,
                          cluster: PostgresCluster, ids: list[str], inbound: str, url: str,
                          receiver: Any) -> None:
    counter, phone = _token(base, "accueil"), _token(base, "telephone")
    ledger, stop = Ledger(), threading.Event()
    loads = [
        threading.Thread(target=_visits, args=(base, counter, ids, ledger, stop, "counter")),
        threading.Thread(target=_visits, args=(base, phone, ids, ledger, stop, "phone")),
        threading.Thread(target=_check_ins, args=(base, counter, ids, ledger, stop)),
        threading.Thread(target=_platform, args=(base, counter, inbound, ledger, stop)),
    ]
    for thread in loads:
        thread.start()
    started = time.monotonic()
    faults: list[tuple[int, Callable[[], None]]] = [
        (5, api.kill_and_restart), (10, worker.kill_and_restart), (15, cluster.restart),
        (19, api.kill_and_restart)]
    for at, fault in faults:
        time.sleep(max(0.0, started + at - time.monotonic()))
        fault()
    time.sleep(max(0.0, started + LOAD_SECONDS - time.monotonic()))
    stop.set()
    for thread in loads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in loads)
    assert 500 not in ledger.statuses, "a 500 was answered during the faults"
    # The faults did hit the load: requests met a killed server or a restarting database.
    assert (api.kills, worker.kills) == (2, 1)
    assert ledger.unreachable + ledger.statuses.count(503) > 0
    assert ledger.visits and ledger.tickets and ledger.cases, "the load did not run"
    _verify(ledger, url, receiver)


def _verify(ledger: Ledger, url: str, receiver: Any) -> None:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            keys = [k for k in session.scalars(select(Interaction.idempotency_key))
                    if k is not None]
            assert ledger.visits <= set(keys), "an acknowledged visit or call is missing"
            assert len(keys) == len(set(keys))
            tickets = dict(session.execute(select(QueueTicket.resident_id, func.count())
                                           .group_by(QueueTicket.resident_id)).all())
            assert set(tickets.values()) <= {1}, "a resident was checked in twice"
            stored = {str(t) for t in session.scalars(select(QueueTicket.id))}
            assert set(ledger.tickets.values()) <= stored, "an acknowledged check-in is missing"
            externals = [e for e in session.scalars(select(Case.external_id)) if e]
            assert set(ledger.cases) <= set(externals), "an acknowledged webhook is missing"
            assert len(externals) == len(set(externals)), "a webhook made two cases"
            changes = session.scalar(select(func.count()).select_from(CaseStatusChange)
                                     .where(CaseStatusChange.to_status == "in_progress"))
            assert changes == session.scalar(select(func.count()).select_from(OutboxEvent))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with make_session_factory(engine)() as session:
                pending = session.scalar(select(func.count()).select_from(OutboxEvent).where(
                    OutboxEvent.status != OutboxStatus.DELIVERED))
                total = session.scalar(select(func.count()).select_from(OutboxEvent))
            if pending == 0:
                break
            time.sleep(0.5)
        assert pending == 0, f"{pending} outbox events still undelivered"
        assert total and len(receiver.applied) == total, "the platform missed an event"
    finally:
        engine.dispose()
