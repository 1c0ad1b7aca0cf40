"""`relais bench ingest`: signed inbound webhooks through the API (inbox, resident by
account, case, timeline), then status changes with their outbox rows, then delivery by
`relais worker` processes to a loopback receiver. Figures, never pass/fail."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select, text

import crm_core.app.models  # noqa: F401 - every mapper, also with --database-url
from benchmarks.cpu import (
    CpuMeter,
    children_running,
    postgres_tree,
    postmaster_of,
    this_process_only,
)
from benchmarks.harness import engine_for, percentile, provisioned_database, server_process
from benchmarks.loadgen import LoadResult
from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role
from crm_core.cases import service as cases
from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case
from crm_core.cases.schemas import ServiceCreate
from crm_core.database.engine import make_session_factory
from crm_core.residents.models import AccountLink
from integrations.enums import OutboxStatus
from integrations.models import InboxEvent, OutboxEvent
from integrations.outbox import hooks
from integrations.webhooks.signature import new_secret, signed_headers

SOURCE = "bench"


def _requests(host: str, subjects: list[str], count: int, secret: str) -> list[bytes]:
    """Raw HTTP requests, signed now (the run must end within the 5-minute tolerance);
    one in ten is a redelivery of an earlier event (same id, same body)."""
    built: list[bytes] = []
    for n in range(count):
        if n % 10 == 9 and built:
            built.append(built[n - 5])
            continue
        body = json.dumps({"type": "case.submitted", "timestamp": datetime.now(UTC).isoformat(),
                           "data": {"id": f"B-{uuid.uuid4().hex}", "service": "bench-ingest",
                                    "subject": "Demande en ligne",
                                    "resident": {"account": {"subject": subjects[n % len(
                                        subjects)]}, "given_name": "X", "family_name": "Y"}}})
        headers = signed_headers(secrets_=[secret], msg_id=f"msg_{uuid.uuid4().hex}", body=body)
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        built.append((f"POST /integrations/webhooks/{SOURCE} HTTP/1.1\r\nHost: {host}\r\n"
                      f"{lines}Content-Length: {len(body.encode())}\r\n\r\n{body}").encode())
    return built


async def _connection(host: str, port: int, requests: list[bytes], result: LoadResult) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for request in requests:
            began = time.perf_counter()
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            if status.split(b" ")[1:2] in ([b"200"], [b"202"]):
                result.latencies_ms.append((time.perf_counter() - began) * 1000)
            else:
                result.errors += 1
    finally:
        writer.close()


def _post_load(host: str, port: int, requests: list[bytes], concurrency: int) -> LoadResult:
    async def run() -> LoadResult:
        result = LoadResult()
        began = time.perf_counter()
        await asyncio.gather(*(_connection(host, port, requests[i::concurrency], result)
                               for i in range(concurrency)))
        result.elapsed_s = time.perf_counter() - began
        return result

    return asyncio.run(run())


def _prepare(url: str, links: int) -> list[str]:
    engine = engine_for(url)
    factory = make_session_factory(engine)
    with factory() as session:
        cases.create_service(db_session=session, data=ServiceCreate(
            code="bench-ingest", label="Banc d'essai", announced_delay_days=10))
        ids = list(session.scalars(text("SELECT id FROM resident WHERE status = 'active' "
                                        "ORDER BY id LIMIT :n").bindparams(n=links)))
        subjects = [f"bench-{i}" for i in range(len(ids))]
        session.execute(insert(AccountLink), [
            {"id": uuid.uuid4(), "resident_id": rid, "provider": "compte-unique",
             "subject": sub} for rid, sub in zip(ids, subjects, strict=True)])
        session.commit()
    engine.dispose()
    return subjects


def _status_changes(url: str, limit: int) -> tuple[int, float]:
    """Closes platform cases in-process, as the counter would: one outbox row each."""
    hooks.install()
    engine = engine_for(url)
    factory = make_session_factory(engine)
    counter = Actor(username="bench", role=Role.COUNTER)
    with factory() as session:
        references = list(session.scalars(select(Case.reference).where(
            Case.external_system == SOURCE).limit(limit)))
    began = time.perf_counter()
    for reference in references:
        with factory() as session:
            cases.update_case(db_session=session, actor=counter, reference=reference,
                              status=CaseStatus.CLOSED, channel=None, note=None)
            session.commit()
    elapsed = time.perf_counter() - began
    engine.dispose()
    return len(references), elapsed


@contextlib.contextmanager
def _workers(url: str, count: int) -> Iterator[None]:
    env = os.environ | {"RELAIS_DATABASE_URL": url, "RELAIS_DEMO_MODE": "false",
                        "RELAIS_SECRET_KEY": secrets.token_urlsafe(48)}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "crm_core.app.launcher", "worker", "--batch", "64",
         "--interval", "0.05"],
        env=env, stdout=subprocess.DEVNULL) for _ in range(count)]
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _delivery(url: str, workers: int, expected: int) -> tuple[float, float]:
    """Seconds until every event is delivered (worker start-up included), and the
    steady rate: deliveries per second between the first and the last one."""
    engine = engine_for(url)
    began = time.perf_counter()
    with _workers(url, workers), engine.connect() as connection:
        while time.perf_counter() - began < 300:
            done = connection.scalar(select(func.count()).select_from(OutboxEvent).where(
                OutboxEvent.status == OutboxStatus.DELIVERED))
            connection.rollback()
            if (done or 0) >= expected:
                break
            time.sleep(0.05)
    elapsed = time.perf_counter() - began
    delivered = OutboxEvent.status == OutboxStatus.DELIVERED
    with engine.connect() as connection:
        first, last = connection.execute(select(
            func.min(OutboxEvent.delivered_at), func.max(OutboxEvent.delivered_at)
        ).where(delivered)).one()
        # A batch's rows share one timestamp: count those recorded after the first batch.
        after = connection.scalar(select(func.count()).select_from(OutboxEvent).where(
            delivered, OutboxEvent.delivered_at > first)) if first else 0
    engine.dispose()
    span = (last - first).total_seconds() if first and last else 0.0
    return elapsed, (after or 0) / span if span > 0 else float("nan")


@contextlib.contextmanager
def _receiver(secret: str) -> Iterator[tuple[str, set[str]]]:
    """A loopback platform that checks each signature and counts distinct event ids."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from standardwebhooks.webhooks import Webhook

    seen: set[str] = set()
    verifier = Webhook(secret)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                verifier.verify(body, headers, json_parse=False)
                seen.add(headers["webhook-id"])
                status = 204
            except Exception:  # a bad signature: refused like a real platform would
                status = 401
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/events", seen
    finally:
        server.shutdown()
        server.server_close()


def _pending(url: str) -> int:
    engine = engine_for(url)
    with engine.connect() as connection:
        left = connection.scalar(select(func.count()).select_from(InboxEvent).where(
            InboxEvent.payload.is_not(None)))
    engine.dispose()
    return int(left or 0)


def _drained(url: str, since: datetime, timeout_s: float = 600) -> tuple[int, datetime | None]:
    """Waits for the workers to empty the inbox; returns the events of the run applied
    (received since `since`) and when the last one was."""
    engine = engine_for(url)
    deadline = time.monotonic() + timeout_s
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            left = connection.scalar(select(func.count()).select_from(InboxEvent).where(
                InboxEvent.payload.is_not(None)))
            connection.rollback()
            if not left:
                break
            time.sleep(0.1)
        done, last = connection.execute(select(
            func.count(), func.max(InboxEvent.processed_at)).where(
            InboxEvent.received_at >= since, InboxEvent.processed_at.is_not(None),
            InboxEvent.case_id.is_not(None))).one()
    engine.dispose()
    return int(done or 0), last


def _cpu_meter(url: str) -> CpuMeter:
    """The run's processes: the API server, the relais workers, PostgreSQL (when local)
    and this process, which generates the load."""
    engine = engine_for(url)
    postmaster = postmaster_of(engine)
    engine.dispose()
    return CpuMeter({
        "API": lambda table: children_running(table, " serve "),
        "relais worker": lambda table: children_running(table, " worker "),
        "PostgreSQL": postgres_tree(postmaster),
        "générateur de charge": this_process_only,
    })


def run_ingest_benchmark(
    *, events: int, concurrency: int, workers: int, engine_kind: str, residents: int,
    console: Console, database_url: str | None = None, deliver_workers: int = 2,
    deferred: bool = True,
) -> None:
    secret = new_secret()
    mode = "accusé à réception, traitement par relais worker" if deferred else "synchrone"
    table = Table(title=f"relais bench ingest ({engine_kind}, {mode})")
    for column in ("mesure", "valeur"):
        table.add_column(column)
    with provisioned_database(engine_kind, residents=residents, console=console,
                              database_url=database_url) as url, _receiver(secret) as (
            receiver_url, seen):
        subjects = _prepare(url, links=min(residents, 5000))
        os.environ["RELAIS_WEBHOOK_SOURCES"] = json.dumps({SOURCE: {
            "secrets": [secret], "outbound_url": receiver_url, "outbound_secret": secret,
            "deferred": deferred}})
        os.environ["RELAIS_OUTBOUND_ALLOW_PRIVATE"] = "true"
        with contextlib.ExitStack() as stack:
            host, port = stack.enter_context(server_process(url, workers=workers))
            if deferred:  # the workers apply events while they arrive: a sustained run
                stack.enter_context(_workers(url, deliver_workers))
            _post_load(host, port, _requests(host, subjects, 200, secret), concurrency)
            if deferred:
                _drained(url, datetime.now(UTC))
            requests = _requests(host, subjects, events, secret)
            console.print(f"{events:,} webhooks signés, {concurrency} connexions…")
            meter = _cpu_meter(url)
            since = datetime.now(UTC)
            meter.start()
            result = _post_load(host, port, requests, concurrency)
            backlog = _pending(url) if deferred else 0
            applied, last = _drained(url, since) if deferred else (0, None)
            spent = meter.stop()
        label = "accusés de réception" if deferred else "webhooks entrants traités"
        table.add_row(f"{label} / s (API, dont 10 % de redélivrances)",
                      f"{result.throughput:,.0f}")
        for q in (50, 95, 99):
            table.add_row(f"latence p{q} (ms)", f"{percentile(result.latencies_ms, q):.1f}")
        table.add_row("erreurs", str(result.errors))
        if deferred:
            span = (last - since).total_seconds() if last else float("nan")
            table.add_row("en attente de traitement à la fin de l'envoi", f"{backlog:,}")
            table.add_row(f"événements appliqués de bout en bout / s ({deliver_workers} "
                          "relais worker, dossier + échange + outbox)",
                          f"{applied / span:,.0f} ({applied:,} en {span:.1f} s)")
        for name, seconds in spent.items():
            table.add_row(f"CPU par webhook : {name} (ms)", f"{1000 * seconds / events:.2f}")
        table.add_row("CPU par webhook : total (ms ; 2 cœurs = 4 ms à 500/s)",
                      f"{1000 * sum(spent.values()) / events:.2f}")
        changed, elapsed = _status_changes(url, limit=events // 2)
        table.add_row("changements de statut + ligne d'outbox / s (1 processus)",
                      f"{changed / elapsed:,.0f}")
        took, steady = _delivery(url, deliver_workers, changed)
        table.add_row(f"livraisons signées / s ({deliver_workers} relais worker, régime établi)",
                      f"{steady:,.0f}")
        table.add_row("livraisons signées / s (démarrage des workers compris)",
                      f"{len(seen) / took:,.0f}")
        table.add_row("événements distincts reçus / attendus", f"{len(seen)} / {changed}")
    console.print(table)
