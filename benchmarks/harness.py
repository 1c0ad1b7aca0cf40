"""Shared pieces of the benchmarks: databases, a bench agent, samples, a server process."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from sqlalchemy import Engine, select, text

from crm_core.agents.enums import Role
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade

BENCH_AGENT = "bench-agent"
BENCH_PASSWORD = "bench-password"  # noqa: S105 - a throwaway agent of a throwaway database
CITY_ZONE = "Europe/Paris"  # the city of the benchmarks (the default `RELAIS_TIMEZONE`)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@contextlib.contextmanager
def provisioned_database(
    kind: str, *, residents: int, console: Console, database_url: str | None = None
) -> Iterator[str]:
    """A migrated database holding `residents` synthetic residents (or the one given)."""
    from benchmarks.pgcluster import running_cluster
    from crm_core.demo.loading import load_with_progress

    if database_url:
        yield database_url
        return
    with contextlib.ExitStack() as stack:
        if kind == "postgresql":
            cluster = stack.enter_context(running_cluster(tuned_for_tests=False))
            url = cluster.create_database("relais_bench")
        elif kind == "sqlite":
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="relais-")))
            url = f"sqlite:///{directory / 'bench.db'}"
        else:
            raise ValueError(f"unknown engine {kind!r} (postgresql or sqlite)")
        engine = make_engine(url)
        upgrade(engine)
        console.print(f"[bold]{kind}[/]: chargement de {residents:,} usagers…")
        load_with_progress(
            engine=engine, residents=residents, cases=3, interactions=10, console=console,
            timezone=CITY_ZONE,
        )
        engine.dispose()
        yield url


def ensure_bench_agent(engine: Engine) -> None:
    from crm_core.agents.models import Agent
    from crm_core.agents.service import create_agent

    with make_session_factory(engine)() as session:
        if session.scalar(select(Agent.id).where(Agent.username == BENCH_AGENT)) is None:
            create_agent(
                db_session=session, username=BENCH_AGENT, display_name="Banc d'essai",
                password=BENCH_PASSWORD, role=Role.COUNTER,
            )
            session.commit()


@dataclass
class Samples:
    resident_ids: list[uuid.UUID]
    phones: list[str]
    emails: list[str]
    references: list[str]


def sample(engine: Engine, size: int = 500) -> Samples:
    """Real rows to query, spread over the table (not just the first ones)."""
    with engine.connect() as connection:
        def pick(sql: str) -> list[str]:
            return [row[0] for row in connection.execute(text(sql), {"n": size})]

        ids = [
            uuid.UUID(str(value)) for value in pick(
                "SELECT id FROM resident WHERE status = 'active' ORDER BY random() LIMIT :n"
            )
        ]
        phones = pick(
            "SELECT value FROM contact_point WHERE kind = 'phone' ORDER BY random() LIMIT :n"
        )
        emails = pick(
            "SELECT value FROM contact_point WHERE kind = 'email' ORDER BY random() LIMIT :n"
        )
        references = pick('SELECT reference FROM "case" ORDER BY random() LIMIT :n')
    return Samples(ids, phones, emails, references)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server_process(
    database_url: str, *, workers: int = 1, app: str = "relais"
) -> Iterator[tuple[str, int]]:
    """`relais serve` (or the thin reference app) in a child process on 127.0.0.1."""
    port = _free_port()
    env = os.environ | {
        "RELAIS_DATABASE_URL": database_url,
        "RELAIS_SECRET_KEY": secrets.token_urlsafe(48),
        "RELAIS_DEMO_MODE": "false",
    }
    if app == "relais":
        command = [sys.executable, "-m", "crm_core.app.launcher", "serve", "--port", str(port),
                   "--workers", str(workers)]
        probe = "/api/v1/health"
    else:
        command = [sys.executable, "-m", "uvicorn", "benchmarks.thin:create_thin_app",
                   "--factory", "--port", str(port), "--workers", str(workers),
                   "--log-level", "warning", "--no-access-log"]
        probe = "/health"
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + 180  # a loaded shared machine starts slowly
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=2).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start ({' '.join(command)})")
            time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def bench_token(host: str, port: int) -> str:
    response = httpx.post(
        f"http://{host}:{port}/api/v1/auth/token",
        data={"username": BENCH_AGENT, "password": BENCH_PASSWORD}, timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def engine_for(url: str) -> Engine:
    return make_engine(url)


def count_residents(url: str) -> int:
    """How many residents the database holds (a database given to a benchmark may hold
    any number, whatever --residents says)."""
    from sqlalchemy import func

    from crm_core.residents.models import Resident

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Resident)) or 0
    finally:
        engine.dispose()


def issue_qr_badges(host: str, port: int, token: str, resident_ids: list[uuid.UUID]) -> list[str]:
    """One QR badge per resident through the API; returns the scannable tokens."""
    tokens = []
    with httpx.Client(base_url=f"http://{host}:{port}/api/v1",
                      headers={"Authorization": f"Bearer {token}"}) as http:
        for resident_id in resident_ids:
            response = http.post(f"/residents/{resident_id}/badges", json={})
            response.raise_for_status()
            tokens.append(str(response.json()["token"]))
    return tokens
