"""`relais bench load`: the front office's mixed workload against 1, 2, 4 … API processes.

80 % reads (the resident summary, lookups by phone), 15 % exchanges written
(`POST /interactions`), 5 % fuzzy searches — over keep-alive connections, each request
timed. One table row per process count: throughput, p50/p95/p99, errors. When doubling
the API processes stops raising the throughput, the database (or, on one small machine,
the cores it shares with the API) is the limit.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson
from rich.console import Console
from rich.table import Table

from benchmarks.harness import (
    Samples,
    bench_token,
    count_residents,
    engine_for,
    ensure_bench_agent,
    percentile,
    sample,
    server_process,
)
from benchmarks.loadgen import exchange

MIX = (("summary", 0.50), ("lookup", 0.30), ("interaction", 0.15), ("search", 0.05))


@dataclass(frozen=True)
class Call:
    kind: str
    method: str
    path: str
    body: bytes = b""


@dataclass
class Measured:
    processes: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    elapsed_s: float = 0.0

    @property
    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]

    @property
    def throughput(self) -> float:
        return len(self.all_latencies) / self.elapsed_s if self.elapsed_s else 0.0


def plan(samples: Samples, count: int, seed: int = 7) -> list[Call]:
    """`count` calls in the workload's proportions, on real rows of the database."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    names = ["martin", "bernard", "dubois", "thomas", "robert", "petit", "durand", "leroy"]
    calls = []
    for kind in rng.choices(kinds, weights, k=count):
        resident = rng.choice(samples.resident_ids)
        if kind == "summary":
            calls.append(Call(kind, "GET", f"/api/v1/residents/{resident}/summary"))
        elif kind == "lookup" and samples.phones:
            calls.append(Call(kind, "GET", f"/api/v1/lookup?phone={rng.choice(samples.phones)}"))
        elif kind == "search":
            calls.append(Call(kind, "GET", f"/api/v1/residents/search?q={rng.choice(names)}"))
        else:
            body = orjson.dumps({"resident_id": str(resident), "outcome": "informed",
                                 "channel": "counter", "note": "Renseignement",
                                 "idempotency_key": f"bench-{uuid.uuid4()}"})
            calls.append(Call("interaction", "POST", "/api/v1/interactions", body))
    return calls


async def _connection(host: str, port: int, calls: Sequence[Call], token: str,
                      result: Measured) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    auth = f"Authorization: Bearer {token}\r\nConnection: keep-alive\r\n"
    try:
        for call in calls:
            head = f"{call.method} {call.path} HTTP/1.1\r\nHost: {host}\r\n{auth}"
            if call.body:
                head += f"Content-Type: application/json\r\nContent-Length: {len(call.body)}\r\n"
            status, elapsed = await exchange(reader, writer, head.encode() + b"\r\n" + call.body)
            if status in (b"200", b"201"):
                result.latencies.setdefault(call.kind, []).append(elapsed)
            else:
                result.errors += 1
    finally:
        writer.close()


async def _drive(host: str, port: int, calls: list[Call], token: str, concurrency: int,
                 result: Measured) -> None:
    shares = [calls[i::concurrency] for i in range(concurrency)]
    began = time.perf_counter()
    await asyncio.gather(*(_connection(host, port, share, token, result) for share in shares))
    result.elapsed_s = time.perf_counter() - began


def measure(url: str, *, processes: int, requests: int, concurrency: int,
            samples: Samples) -> Measured:
    for attempt in range(3):  # a port taken between choosing and binding it: again
        try:
            with server_process(url, workers=processes) as (host, port):
                result = Measured(processes=processes)
                token = bench_token(host, port)
                asyncio.run(_drive(host, port, plan(samples, 200, seed=1), token,
                                   concurrency, Measured(processes=processes)))  # warm-up
                asyncio.run(_drive(host, port, plan(samples, requests), token, concurrency,
                                   result))
                return result
        except RuntimeError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def render(rows: list[Measured], residents: int, console: Console) -> None:
    table = Table(title=f"relais bench load — {residents:,} usagers, charge mixte "
                        "(80 % lectures, 15 % écritures, 5 % recherches)")
    for column in ("processus", "req/s", "p50 ms", "p95 ms", "p99 ms", "erreurs",
                   "p95 lecture", "p95 écriture", "p95 recherche"):
        table.add_column(column, justify="right")
    for row in rows:
        every = row.all_latencies
        reads = row.latencies.get("summary", []) + row.latencies.get("lookup", [])
        table.add_row(
            str(row.processes), f"{row.throughput:,.0f}", f"{percentile(every, 50):.1f}",
            f"{percentile(every, 95):.1f}", f"{percentile(every, 99):.1f}", str(row.errors),
            f"{percentile(reads, 95):.1f}",
            f"{percentile(row.latencies.get('interaction', []), 95):.1f}",
            f"{percentile(row.latencies.get('search', []), 95):.1f}",
        )
    console.print(table)


def run_load_benchmark(*, database_url: str, processes: Sequence[int], requests: int,
                       concurrency: int, console: Console) -> list[Measured]:
    engine = engine_for(database_url)
    try:
        ensure_bench_agent(engine)
        samples = sample(engine)
    finally:
        engine.dispose()
    residents = count_residents(database_url)
    rows = []
    for count in processes:
        row = measure(database_url, processes=count, requests=requests,
                      concurrency=concurrency, samples=samples)
        console.print(f"  {count} processus : {row.throughput:,.0f} req/s, "
                      f"{row.errors} erreurs")
        rows.append(row)
    render(rows, residents, console)
    return rows
