"""`relais bench badge`: token verifications per second on one core, and scan-to-summary
through the API (`GET /lookup?badge=`) on a loaded database."""

from __future__ import annotations

from urllib.parse import quote

from rich.console import Console
from rich.table import Table

from benchmarks.badge_verify import run_verify_benchmark
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
from benchmarks.loadgen import run_load


def run_badge_benchmark(
    *, residents: int, requests: int, engine_kind: str, console: Console,
    database_url: str | None = None, badges: int = 300,
) -> None:
    verify = run_verify_benchmark(seconds=3.0)
    table = Table(title="relais bench badge")
    for column in ("mesure", "valeur"):
        table.add_column(column)
    table.add_row("vérifications de jeton / s (1 cœur, temps CPU)",
                  f"{verify['cpu_per_second']:,.0f}")
    table.add_row("µs CPU par vérification", f"{verify['cpu_microseconds_each']:.1f}")
    table.add_row("vérifications / s (horloge murale)", f"{verify['per_second']:,.0f}")
    table.add_row("longueur d'un jeton (caractères)", f"{verify['token_length']:.0f}")
    with provisioned_database(
        engine_kind, residents=residents, console=console, database_url=database_url
    ) as url:
        engine = engine_for(url)
        ensure_bench_agent(engine)
        resident_ids = sample(engine, size=badges).resident_ids
        engine.dispose()
        residents = count_residents(url)
        with server_process(url) as (host, port):
            token = bench_token(host, port)
            tokens = issue_qr_badges(host, port, token, list(resident_ids))
            paths = [f"/api/v1/lookup?badge={quote(t)}" for t in tokens]
            run_load(host=host, port=port, paths=paths, token=token, total=50, concurrency=1)
            result = run_load(host=host, port=port, paths=paths, token=token, total=requests,
                              concurrency=1)
    label = f"scan → résumé via l'API ({engine_kind}, {residents:,} usagers)"
    for q in (50, 95, 99):
        table.add_row(f"{label} p{q} (ms)", f"{percentile(result.latencies_ms, q):.2f}")
    table.add_row("erreurs", result.errors_text())
    console.print(table)
