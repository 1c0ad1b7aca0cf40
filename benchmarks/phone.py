"""`relais bench phone`: from the PBX's `newCall` reaching the server to the caller's summary
drawn on the desk, with many desks connected (one WebSocket each), on a loaded database.

Each measured call: sign the event, POST it, the server matches the number and pushes the
ring to that extension's desk, the desk fetches the summary and renders the resident card.
Calls are made one after another (a latency measure, not a throughput one).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import random
import secrets
import time
from typing import Any

import httpx
import orjson
from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection, connect

from benchmarks.harness import (
    count_residents,
    engine_for,
    percentile,
    provisioned_database,
    server_process,
)
from crm_core.agents.enums import Role
from crm_core.agents.service import create_agent
from crm_core.client.tui.resident_card import render_card
from crm_core.database.engine import make_session_factory
from crm_core.telephony.signing import sign
from phone_desk.feed import desk_url

BENCH_PBX = "bench-pbx"
FIRST_EXTENSION = 3000


def _prepare(url: str, desks: int, password: str) -> list[str]:
    """Phone agents `bench-desk-N` (extension 3000+N) and numbers of single residents."""
    engine = engine_for(url)
    with make_session_factory(engine)() as session:
        existing = set(session.scalars(text(
            "SELECT username FROM agent WHERE username LIKE 'bench-desk-%'")))
        for n in range(desks):
            name = f"bench-desk-{n}"
            if name not in existing:
                create_agent(db_session=session, username=name, display_name=f"Poste {n}",
                             password=password, role=Role.PHONE,
                             phone_extension=str(FIRST_EXTENSION + n))
            else:
                session.execute(text("UPDATE agent SET phone_extension = :e WHERE username = :u"),
                                {"e": str(FIRST_EXTENSION + n), "u": name})
        session.commit()
    with engine.connect() as connection:
        phones = [row[0] for row in connection.execute(text(
            "SELECT value FROM contact_point WHERE kind = 'phone' GROUP BY value "
            "HAVING count(*) = 1 ORDER BY min(value) LIMIT 2000"))]
    engine.dispose()
    random.shuffle(phones)
    return phones


async def _measure(base: str, desks: int, password: str, phones: list[str], calls: int,
                   secret: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        tokens = []
        for n in range(desks):
            response = await http.post("/api/v1/auth/token",
                                       data={"username": f"bench-desk-{n}", "password": password})
            response.raise_for_status()
            tokens.append(response.json()["access_token"])
        sockets: list[ClientConnection] = []
        for token in tokens:
            socket = await connect(desk_url(base), additional_headers={
                "Authorization": f"Bearer {token}"}, max_queue=None)
            await socket.recv()  # the snapshot
            sockets.append(socket)
        latencies, errors, not_single = [], 0, 0
        sink = Console(file=io.StringIO(), width=100)
        try:
            for index in range(calls):
                desk = index % desks
                body = orjson.dumps({
                    "event": "newCall", "from": phones[index % len(phones)], "to": "0299000000",
                    "direction": "in", "callId": f"bench-{secrets.token_hex(8)}",
                    "user": [str(FIRST_EXTENSION + desk)], "queue": "bench"})
                headers = sign(pbx=BENCH_PBX, secret=secret, body=body)
                headers["Content-Type"] = "application/json"
                started = time.perf_counter()
                response = await http.post("/api/v1/telephony/events", content=body,
                                           headers=headers)
                if response.status_code != 202:
                    errors += 1
                    continue
                ring = json.loads(await asyncio.wait_for(sockets[desk].recv(), 10))
                match = ring.get("match", {})
                if match.get("kind") != "resident":
                    not_single += 1
                    continue
                summary = await http.get(f"/api/v1/residents/{match['resident_id']}/summary",
                                         headers={"Authorization": f"Bearer {tokens[desk]}"})
                if summary.status_code != 200:
                    errors += 1
                    continue
                sink.print(render_card(summary.json()))
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            for socket in sockets:
                await socket.close()
    return {"latencies": latencies, "errors": errors, "not_single": not_single}


def run_phone_benchmark(
    *, residents: int, calls: int, desks: int, engine_kind: str, console: Console,
    database_url: str | None = None,
) -> None:
    password = secrets.token_urlsafe(16)
    secret = secrets.token_urlsafe(32)
    os.environ["RELAIS_TELEPHONY_PBX_SECRETS"] = f"{BENCH_PBX}:{secret}"
    with provisioned_database(
        engine_kind, residents=residents, console=console, database_url=database_url
    ) as url:
        phones = _prepare(url, desks, password)
        residents = count_residents(url)
        if not phones:
            console.print("[bold red]Aucun numéro de téléphone dans la base.[/]")
            return
        with server_process(url) as (host, port):
            base = f"http://{host}:{port}"
            asyncio.run(_measure(base, desks, password, phones, min(30, calls), secret))  # warm
            result = asyncio.run(_measure(base, desks, password, phones, calls, secret))
    table = Table(title="relais bench phone")
    for column in ("mesure", "valeur"):
        table.add_column(column)
    label = f"newCall → résumé affiché ({engine_kind}, {residents:,} usagers, {desks} postes)"
    latencies = result["latencies"]
    for q in (50, 95, 99):
        table.add_row(f"{label} p{q} (ms)",
                      f"{percentile(latencies, q):.1f}" if latencies else "—")
    table.add_row("appels mesurés", str(len(latencies)))
    table.add_row("numéros non uniques (candidats)", str(result["not_single"]))
    table.add_row("erreurs", str(result["errors"]))
    console.print(table)
