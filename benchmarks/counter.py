"""`relais bench counter`: from the scan's Enter to the resident screen drawn, and from
app start to ready, measured in the real app (headless) against a real server."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

GIVE_UP_SECONDS = 30.0
COLD_STARTS = 5


def _cold_starts(url: str, data_dir: Path) -> list[float]:
    """Process start → ready, in ms: interpreter, imports, session, first screen."""
    import subprocess
    import sys

    timings = []
    for _ in range(COLD_STARTS):
        began = time.time()
        done = subprocess.run(  # noqa: S603  (this interpreter, our own code)
            [sys.executable, "-m", "benchmarks.counter_start", url, str(data_dir)],
            capture_output=True, text=True, check=True, timeout=60)
        timings.append((float(done.stdout.split()[-1]) - began) * 1000)
    return timings


def home_ready(app: Any) -> bool:
    from textual.widgets import Input

    from counter_client.screens.home import HomeScreen

    return bool(isinstance(app.screen, HomeScreen) and app.screen.query("#scan")
                and app.screen.query_one("#scan", Input).has_focus)


async def _measure(
    url: str, token: str, badges: list[tuple[str, str]], data_dir: Path,
) -> dict[str, Any]:
    from textual.widgets import Input

    from counter_client.app import make_app
    from counter_client.config import CounterSettings
    from counter_client.screens.home import HomeScreen
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
    painted = _watch_paints(app)
    scans: list[float] = []
    cpu: list[float] = []  # this process (the app's threads), not the server: less noisy
    failures: list[str] = []
    async with app.run_test(size=(120, 36)) as pilot:
        while not home_ready(app):
            await pilot.pause(0.001)
        ready_ms = (time.perf_counter() - started) * 1000
        for resident_id, badge in badges:
            scan = app.screen.query_one("#scan", Input)
            scan.value = badge  # what the scanner typed; the clock starts at its Enter
            began, began_cpu = time.perf_counter(), time.process_time()
            await scan.action_submit()
            while not _drawn(app.screen, resident_id):
                if _refused(app.screen) or time.perf_counter() - began > GIVE_UP_SECONDS:
                    failures.append(_said(app.screen) or "pas de réponse")
                    break
                await asyncio.sleep(0.0005)
            else:
                scans.append((painted[-1] - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
                await pilot.press("escape")
            while not isinstance(app.screen, HomeScreen):
                await pilot.pause(0.001)
    app.client.close()
    app.journal.close()
    return {"ready_ms": ready_ms, "scans": scans, "cpu": cpu, "failures": failures}


def _watch_paints(app: Any) -> list[float]:
    """When each frame was painted. Headless, Textual composes a frame but skips turning it
    into terminal output; this does that work too, so that the clock stops where a real
    terminal would receive the screen."""
    from textual._compositor import CompositorUpdate

    painted = [0.0]
    display = app._display

    def timed_display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if isinstance(renderable, CompositorUpdate):
            renderable.render_segments(app.console)
            painted.append(time.perf_counter())

    app._display = timed_display
    return painted


def _said(screen: Any) -> str:
    from crm_core.client.tui.message_line import MessageLine

    return next((line._said[0] for line in screen.query(MessageLine)), "")


def _refused(screen: Any) -> bool:
    """The scan ended on an error on the home screen (said in its message line)."""
    from counter_client.screens.home import HomeScreen
    from crm_core.client.tui.message_line import MessageLine

    return isinstance(screen, HomeScreen) and any(
        line._said[1] for line in screen.query(MessageLine))


def _drawn(screen: Any, resident_id: str) -> bool:
    """The scanned resident's screen is on top, filled, and nothing is left to lay out or
    paint (Textual internals; their flags clear only once a frame has been painted)."""
    from counter_client.screens.resident import ResidentScreen
    from crm_core.client.tui import CasesTable, Timeline

    if not isinstance(screen, ResidentScreen) or screen.resident_id != resident_id:
        return False
    if screen._layout_required or screen._repaint_required or screen._dirty_widgets:
        return False
    cases, timeline = screen.query_one(CasesTable), screen.query_one(Timeline)
    summary = screen.summary
    return (cases.row_count == len(summary.get("open_cases", []))
            and timeline.row_count == len(summary.get("recent_interactions", []))
            and not any(table._require_update_dimensions or table._new_rows
                        for table in (cases, timeline)))


def run_counter_benchmark(
    *, residents: int, scans: int, engine_kind: str, console: Console,
    database_url: str | None = None,
) -> None:
    from benchmarks.harness import (
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
            badges = [(str(rid), badge) for rid, badge in zip(resident_ids, tokens, strict=True)]
            with tempfile.TemporaryDirectory(prefix="relais-counter-") as directory:
                result = asyncio.run(_measure(base, token, badges, Path(directory)))
                cold = _cold_starts(base, Path(directory))
    table = Table(title=f"relais bench counter ({engine_kind}, {residents:,} usagers)")
    for column in ("mesure", "valeur"):
        table.add_column(column)
    table.add_row("lancement du processus → prêt, médiane / max (ms)",
                  f"{percentile(cold, 50):.0f} / {max(cold):.0f}")
    table.add_row("  dont application → prêt, modules chargés (ms)",
                  f"{result['ready_ms']:.0f}")
    for q in (50, 95, 99):
        table.add_row(f"scan Entrée → fiche affichée p{q} (ms)",
                      f"{percentile(result['scans'], q):.1f}")
    for q in (50, 95):
        table.add_row(f"  dont CPU de l'app p{q} (ms)", f"{percentile(result['cpu'], q):.1f}")
    table.add_row("scans mesurés", str(len(result["scans"])))
    table.add_row("scans en échec", str(len(result["failures"])))
    table.add_row("charge de la machine (1 min)", f"{os.getloadavg()[0]:.1f}")
    console.print(table)
    for reason in sorted(set(result["failures"])):
        console.print(f"échec : {reason} (×{result['failures'].count(reason)})")
