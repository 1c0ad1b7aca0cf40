"""`relais bench counter`: from the scan's Enter to the resident screen drawn, and from
app start to ready, measured in the real app (headless) against a real server."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table


async def _measure(url: str, token: str, tokens: list[str], data_dir: Path) -> dict[str, Any]:
    from textual.widgets import Input

    from counter_client.app import make_app
    from counter_client.config import CounterSettings
    from counter_client.screens.home import HomeScreen
    from counter_client.screens.resident import ResidentScreen
    from counter_client.session_store import SessionStore
    from crm_core.client import RelaisClient

    SessionStore(data_dir / "session.json").save(
        server_url=url, username="banc",
        session={"access_token": token, "expires_in": 3600, "display_name": "Banc d'essai",
                 "site_code": None},
    )
    settings = CounterSettings(server_url=url, data_dir=data_dir, sync_interval_seconds=60)
    started = time.perf_counter()
    app = make_app(settings, RelaisClient(url))
    scans: list[float] = []
    cpu: list[float] = []  # this process (the app's threads), not the server: less noisy
    async with app.run_test(size=(120, 36)) as pilot:
        while not (isinstance(app.screen, HomeScreen) and app.screen.query("#scan")
                   and app.screen.query_one("#scan", Input).has_focus):
            await pilot.pause(0.001)
        ready_ms = (time.perf_counter() - started) * 1000
        for badge in tokens:
            scan = app.screen.query_one("#scan", Input)
            scan.value = badge  # what the scanner typed; the clock starts at its Enter
            began, began_cpu = time.perf_counter(), time.process_time()
            await scan.action_submit()
            while not _drawn(app.screen, ResidentScreen):
                await asyncio.sleep(0.0005)
            scans.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
            await pilot.press("escape")
            while not isinstance(app.screen, HomeScreen):
                await pilot.pause(0.001)
    app.client.close()
    app.journal.close()
    return {"ready_ms": ready_ms, "scans": scans, "cpu": cpu}


def _drawn(screen: object, kind: type) -> bool:
    """The screen is on top and has no layout or repaint pending (Textual internals)."""
    return (isinstance(screen, kind) and not getattr(screen, "_dirty_widgets", True)
            and not getattr(screen, "_layout_required", True))


def run_counter_benchmark(
    *, residents: int, scans: int, engine_kind: str, console: Console,
    database_url: str | None = None,
) -> None:
    from crm_core.bench.harness import (
        bench_token,
        count_residents,
        engine_for,
        ensure_bench_agent,
        issue_qr_badges,
        percentile,
        provisioned_database,
        sample,
        server_process,
    )

    with provisioned_database(
        engine_kind, residents=residents, console=console, database_url=database_url
    ) as url:
        engine = engine_for(url)
        ensure_bench_agent(engine)
        resident_ids = sample(engine, size=scans).resident_ids
        engine.dispose()
        residents = count_residents(url)
        with server_process(url) as (host, port):
            token = bench_token(host, port)
            base = f"http://{host}:{port}"
            tokens = issue_qr_badges(host, port, token, list(resident_ids))
            with tempfile.TemporaryDirectory(prefix="relais-counter-") as directory:
                result = asyncio.run(_measure(base, token, tokens, Path(directory)))
    table = Table(title=f"relais bench counter ({engine_kind}, {residents:,} usagers)")
    for column in ("mesure", "valeur"):
        table.add_column(column)
    table.add_row("démarrage → prêt (ms)", f"{result['ready_ms']:.0f}")
    for q in (50, 95, 99):
        table.add_row(f"scan Entrée → fiche affichée p{q} (ms)",
                      f"{percentile(result['scans'], q):.1f}")
    for q in (50, 95):
        table.add_row(f"  dont CPU de l'app p{q} (ms)", f"{percentile(result['cpu'], q):.1f}")
    table.add_row("scans mesurés", str(len(result["scans"])))
    table.add_row("charge de la machine (1 min)", f"{os.getloadavg()[0]:.1f}")
    console.print(table)


def bench_counter(
    residents: Annotated[int, typer.Option(help="Dataset size.")] = 100_000,
    scans: Annotated[int, typer.Option(help="Scans to time.")] = 200,
    engine: Annotated[str, typer.Option(help="postgresql or sqlite.")] = "postgresql",
    database_url: Annotated[
        str | None, typer.Option(help="Bench an existing, loaded database instead.")
    ] = None,
) -> None:
    """Scan Enter → resident screen drawn (p50/p95/p99), and app start → ready."""
    run_counter_benchmark(residents=residents, scans=scans, engine_kind=engine,
                          console=Console(), database_url=database_url)
