"""`relais bench search`: recall and latency of fuzzy search, raw SQL beside the API.

For each engine: a database of N synthetic residents (`crm_core.demo.bulk`, search keys
rebuilt), a quality set of misspelt queries (`quality.py`) over residents drawn from it,
then for "names + birth date" and "names alone":

- recall@1, recall@10 and MRR of the search service on the quality set (the function the
  API calls, in process, so every query's ranked list can be checked), strictly and
  counting a namesake as found (see `quality.py`);
- "SQL brut": the very statements each search sent, captured with their parameters and
  replayed on a bare DBAPI cursor (execute + fetchall) — the database's share;
- "service": the whole search in process (SQL + Python re-ranking);
- "API": `relais serve` in a child process, one keep-alive client, the same queries over
  HTTP with a bearer token (parsing, auth, JSON included).

Figures, never pass/fail. The machine's load is whatever it is: run it twice.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, event, func, select

from benchmarks.harness import (
    bench_token,
    ensure_bench_agent,
    percentile,
    server_process,
)
from benchmarks.loadgen import run_load
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade
from crm_core.recognition.models import SearchKey
from crm_core.recognition.quality import QualityQuery, Scorecard, Target, evaluate, make_queries
from crm_core.recognition.rebuild import rebuild_search_keys
from crm_core.recognition.search import search
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import Resident

MODES = (("nom + date", True), ("nom seul", False))


@dataclass
class Row:
    engine: str
    residents: int
    mode: str
    card: Scorecard
    raw_ms: list[float] = field(default_factory=list)
    service_ms: list[float] = field(default_factory=list)
    api_ms: list[float] = field(default_factory=list)
    api_errors: int = 0


class StatementCapture:
    """Records (statement, parameters) of everything an engine executes while active."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
                _context: Any, _executemany: bool) -> None:
        self.statements.append((statement, parameters))

    def take(self) -> list[tuple[str, Any]]:
        taken, self.statements = self.statements, []
        return taken

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def _replay(engine: Engine, searches: list[list[tuple[str, Any]]]) -> list[float]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        latencies = []
        for statements in searches:
            began = time.perf_counter()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            latencies.append((time.perf_counter() - began) * 1000)
        raw.rollback()
        return latencies
    finally:
        raw.close()


def _targets(engine: Engine, count: int, seed: int) -> list[Target]:
    """Residents drawn at random over the whole table (then shuffled with the seed)."""
    with make_session_factory(engine)() as db_session:
        rows = db_session.execute(
            select(Resident.id, Resident.given_name, Resident.family_name,
                   Resident.birth_date)
            .where(Resident.status == ResidentStatus.ACTIVE)
            .order_by(func.random()).limit(count)
        ).all()
    found = [Target(*row) for row in rows]
    random.Random(seed).shuffle(found)  # noqa: S311 - synthetic data
    return found


def _in_process(
    engine: Engine, queries: list[QualityQuery], with_date: bool
) -> tuple[Scorecard, list[float], list[list[tuple[str, Any]]]]:
    factory = make_session_factory(engine)
    capture = StatementCapture(engine)
    service_ms: list[float] = []
    captured: list[list[tuple[str, Any]]] = []

    def run(query: QualityQuery) -> list[tuple[Any, str, str, date | None]]:
        with factory() as db_session:
            db_session.connection()  # BEGIN outside the timing, as the API's session
            capture.take()
            began = time.perf_counter()
            outcome = search(db_session=db_session, phone_region="FR", q=query.text,
                             birth_date=query.target.birth_date if with_date else None)
            service_ms.append((time.perf_counter() - began) * 1000)
            captured.append([s for s in capture.take() if not s[0].startswith("BEGIN")])
        return [(c.resident_id, c.given_name, c.family_name, c.birth_date)
                for c in outcome.results]

    try:
        card = evaluate(queries, run, with_date=with_date)
    finally:
        capture.close()
    return card, service_ms, captured


def _paths(queries: list[QualityQuery], with_date: bool) -> list[str]:
    paths = []
    for query in queries:
        params = {"q": query.text}
        if with_date and query.target.birth_date:
            params["birth_date"] = query.target.birth_date.isoformat()
        paths.append("/api/v1/residents/search?" + urlencode(params))
    return paths


def bench_database(
    kind: str, url: str, *, residents: int, queries: int, console: Console, seed: int = 42
) -> list[Row]:
    engine = make_engine(url)
    ensure_bench_agent(engine)
    quality = make_queries(_targets(engine, queries, seed), seed=seed)
    rows = []
    for mode, with_date in MODES:
        card, service_ms, captured = _in_process(engine, quality, with_date)
        rows.append(Row(kind, residents, mode, card, _replay(engine, captured), service_ms))
        console.print(f"  {kind} {mode}: rappel@10 {card.namesakes.as_dict()['recall@10']:.3f}")
    engine.dispose()
    with server_process(url) as (host, port):
        token = bench_token(host, port)
        for row, (_, with_date) in zip(rows, MODES, strict=True):
            paths = _paths(quality, with_date)
            run_load(host=host, port=port, paths=paths, token=token, total=50, concurrency=1)
            result = run_load(host=host, port=port, paths=paths, token=token,
                              total=len(paths), concurrency=1)
            row.api_ms, row.api_errors = result.latencies_ms, result.errors
    return rows


@contextlib.contextmanager
def provisioned(
    kind: str, *, residents: int, console: Console, database_url: str | None
) -> Iterator[str]:
    """A migrated database of `residents` synthetic residents with search keys."""
    from benchmarks.pgcluster import running_cluster
    from crm_core.demo.bulk import load_dataset

    with contextlib.ExitStack() as stack:
        if database_url:
            url = database_url
        elif kind == "postgresql":
            cluster = stack.enter_context(running_cluster(tuned_for_tests=False))
            url = cluster.create_database("relais_bench_search")
        else:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="relais-")))
            url = f"sqlite:///{directory / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        with engine.connect() as connection:
            present = connection.scalar(select(func.count()).select_from(Resident)) or 0
            keyed = connection.scalar(select(SearchKey.key).limit(1)) is not None
        if present < residents:
            console.print(f"[bold]{kind}[/] : chargement de {residents - present:,} usagers…")
            console.print(load_dataset(engine=engine, residents=residents - present,
                                       cases_per_resident=0.5, interactions_per_resident=0))
            keyed = False
        if not keyed:
            console.print(str(rebuild_search_keys(engine=engine)))
        engine.dispose()
        yield url


def render(rows: list[Row], console: Console) -> None:
    table = Table(title="relais bench search — rappel et latences (ms)")
    for column in ("moteur", "usagers", "mode", "requêtes", "r@1", "r@10", "MRR",
                   "r@1 strict", "r@10 strict", "SQL brut p50", "SQL brut p95",
                   "service p95", "API p50", "API p95", "API p99", "erreurs"):
        table.add_column(column, justify="left" if column in ("moteur", "mode") else "right")
    for row in rows:
        loose, strict = row.card.namesakes.as_dict(), row.card.strict.as_dict()
        table.add_row(
            row.engine, f"{row.residents:,}".replace(",", "\u202f"), row.mode,
            str(int(loose["n"])), f"{loose['recall@1']:.3f}", f"{loose['recall@10']:.3f}",
            f"{loose['mrr']:.3f}", f"{strict['recall@1']:.3f}", f"{strict['recall@10']:.3f}",
            f"{percentile(row.raw_ms, 50):.2f}", f"{percentile(row.raw_ms, 95):.2f}",
            f"{percentile(row.service_ms, 95):.2f}", f"{percentile(row.api_ms, 50):.2f}",
            f"{percentile(row.api_ms, 95):.2f}", f"{percentile(row.api_ms, 99):.2f}",
            str(row.api_errors),
        )
    wide = console if console.width >= 190 else Console(width=190, file=console.file)
    wide.print(table)
    wide.print("r@k, MRR : l'usager ou un homonyme parfait (mêmes nom, prénom et, si elle"
                  " est donnée, date de naissance) ; « strict » : l'usager lui-même.")


def run_search_benchmark(
    *, residents: int, queries: int, engines: list[str], console: Console,
    database_url: str | None = None, show_misses: int = 0,
) -> list[Row]:
    rows: list[Row] = []
    for kind in engines:
        with provisioned(kind, residents=residents, console=console,
                         database_url=database_url) as url:
            rows += bench_database(kind, url, residents=residents, queries=queries,
                                   console=console)
    render(rows, console)
    for row in rows:
        for query, found in row.card.misses[:show_misses]:
            console.print(f"  manqué ({row.engine}, {row.mode}, {query.noise}) "
                          f"« {query.text} » → {query.target.given_name} "
                          f"{query.target.family_name} ; proposés : "
                          + ", ".join(f"{g} {f}" for _, g, f, _ in found[:3]))
    return rows
