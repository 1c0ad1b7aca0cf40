"""`relais bench core`: summary and exact lookups through the API, beside raw SQL.

For each engine: build (or reuse) a dataset, time each operation as raw SQL on a bare
connection, through the API with one client, then with N concurrent clients against
`relais serve --workers W`; the summary is also timed on a thin reference endpoint (raw
SQL in FastAPI, no ORM, no auth, no access log) to report the framework's cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from rich.console import Console
from rich.table import Table

from benchmarks.harness import (
    Samples,
    bench_token,
    engine_for,
    ensure_bench_agent,
    percentile,
    provisioned_database,
    sample,
    server_process,
)
from benchmarks.loadgen import run_load
from benchmarks.raw import time_raw

OPERATIONS = ("summary", "phone", "email", "reference")


@dataclass
class Row:
    engine: str
    operation: str
    mode: str
    latencies: list[float]
    throughput: float | None = None
    errors: str = "0"


def _paths(operation: str, samples: Samples) -> list[str]:
    if operation == "summary":
        return [f"/api/v1/residents/{rid}/summary" for rid in samples.resident_ids]
    values = {"phone": samples.phones, "email": samples.emails,
              "reference": samples.references}[operation]
    return [f"/api/v1/lookup?{operation}={quote(value)}" for value in values]


def _raw_values(operation: str, samples: Samples) -> list[object]:
    values: dict[str, list[object]] = {
        "summary": list(samples.resident_ids), "phone": list(samples.phones),
        "email": list(samples.emails), "reference": list(samples.references),
    }
    return values[operation]


def bench_engine(
    kind: str, *, url: str, requests: int, workers: int, concurrency: int, console: Console
) -> list[Row]:
    engine = engine_for(url)
    ensure_bench_agent(engine)
    samples = sample(engine)
    rows = []
    for operation in OPERATIONS:
        values = _raw_values(operation, samples)
        if values:
            latencies = time_raw(engine, kind=operation, values=values, count=requests)
            rows.append(Row(kind, operation, "SQL brut", latencies))
    engine.dispose()
    for label, count, clients, processes in (
        ("API, 1 client", requests, 1, 1),
        (f"API, {concurrency} clients, {workers} proc.", requests * 2, concurrency, workers),
    ):
        with server_process(url, workers=processes) as (host, port):
            token = bench_token(host, port)
            for operation in OPERATIONS:
                paths = _paths(operation, samples)
                if not paths:
                    continue
                run_load(host=host, port=port, paths=paths, token=token, total=50,
                         concurrency=1)  # warm-up
                result = run_load(host=host, port=port, paths=paths, token=token,
                                  total=count, concurrency=clients)
                rows.append(Row(kind, operation, label, result.latencies_ms,
                                result.throughput, result.errors_text()))
                console.print(f"  {kind} {operation:<9} {label}: {result.throughput:,.0f} req/s")
    for label, clients, processes, count in (
        ("mince, 1 client", 1, 1, requests),
        (f"mince, {concurrency} clients, {workers} proc.", concurrency, workers, requests * 2),
    ):
        with server_process(url, workers=processes, app="thin") as (host, port):
            no_auth = "-"  # the thin endpoint checks nothing
            paths = [f"/summary/{rid}" for rid in samples.resident_ids]
            run_load(host=host, port=port, paths=paths, token=no_auth, total=50, concurrency=1)
            result = run_load(host=host, port=port, paths=paths, token=no_auth, total=count,
                              concurrency=clients)
            rows.append(Row(kind, "summary", label, result.latencies_ms, result.throughput,
                            result.errors_text()))
    return rows


def render(rows: list[Row], console: Console) -> None:
    table = Table(title="relais bench core — latences en ms")
    for column in ("moteur", "opération", "mode", "p50", "p95", "p99", "req/s", "erreurs",
                   "p95 / SQL brut"):
        table.add_column(column, justify="right" if column not in ("moteur", "mode") else "left")
    raw_p95 = {(r.engine, r.operation): percentile(r.latencies, 95)
               for r in rows if r.mode == "SQL brut"}
    for row in rows:
        p95 = percentile(row.latencies, 95)
        base = raw_p95.get((row.engine, row.operation))
        ratio = f"{p95 / base:.1f}×" if base and row.mode != "SQL brut" else ""
        table.add_row(
            row.engine, row.operation, row.mode, f"{percentile(row.latencies, 50):.2f}",
            f"{p95:.2f}", f"{percentile(row.latencies, 99):.2f}",
            f"{row.throughput:,.0f}" if row.throughput else "", row.errors, ratio,
        )
    console.print(table)


def run_core_benchmark(
    *, residents: int, requests: int, engines: list[str], workers: int, concurrency: int,
    console: Console, database_url: str | None = None,
) -> list[Row]:
    rows: list[Row] = []
    for kind in engines:
        with provisioned_database(
            kind, residents=residents, console=console, database_url=database_url
        ) as url:
            rows += bench_engine(kind, url=url, requests=requests, workers=workers,
                                 concurrency=concurrency, console=console)
    render(rows, console)
    return rows
