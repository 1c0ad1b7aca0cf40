"""`relais bench reports`: report latency over a large history, and the roll-ups' write cost.

1. A throwaway PostgreSQL cluster, loaded with the COPY-based bulk generator (residents
   with ten interactions and three cases each over the last year), plus queue tickets and
   calls generated in SQL; then `rebuild.rebuild` (set-based) builds the roll-ups.
2. The bulk data has one site; a métropole has a couple of dozen. The read side is timed
   with the bulk site's own roll-up cells copied to `--sites` sites, so that tables by
   site and reads of one site see as many cells as a métropole would produce (the "all
   sites" cells have one row per figure whatever the number of sites).
3. Each report (month, year) is built end to end — journal tail folded, cells read,
   tables built, suppression — `--repeats` times; p50/p95 are printed.
4. Write cost: writer threads record interactions through the ORM (one transaction per
   exchange, like the API): without the journal triggers, with them, and with them plus
   a folder folding every 2 s, in `rounds` interleaved rounds; the cost is the relative
   loss of median throughput.

Figures only, never pass/fail; the machine is shared, so they are noisy.
"""

from __future__ import annotations

import multiprocessing
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, Engine, TextClause, func, select, text

from benchmarks.harness import CITY_ZONE
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade

_TICKETS_SQL = """
INSERT INTO queue_ticket (id, site_id, local_day, number, service_id, resident_id, status,
    issued_at, called_at, served_at, called_by_agent_id, wait_seconds, service_seconds)
SELECT gen_random_uuid(), :site, d.day, g.n, (:services)[1 + (g.n % cardinality(:services))],
    NULL, 'served', d.day + time '08:30' + g.n * interval '40 seconds',
    d.day + time '08:30' + g.n * interval '40 seconds' + w.wait * interval '1 second',
    d.day + time '08:30' + g.n * interval '40 seconds' + (w.wait + 420) * interval '1 second',
    NULL, w.wait, 420
FROM generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') AS d(day)
CROSS JOIN generate_series(1, :per_day) AS g(n)
CROSS JOIN LATERAL (SELECT (random() * 1800)::int + g.n * 0 AS wait) AS w
"""
_CALLS_SQL = """
INSERT INTO call (id, pbx, call_id, direction, status, remote_raw, remote_number, remote_kind,
    local_number, queue, extensions, answered_extension, agent_id, match_kind, resident_id,
    new_call_seen, started_at, answered_at, ended_at, hangup_cause, interaction_id,
    created_at, updated_at)
SELECT gen_random_uuid(), 'bench', d.day::text || '-' || g.n, 'in',
    CASE WHEN g.n % 7 = 0 THEN 'abandoned' ELSE 'completed' END,
    '+3361' || lpad((g.n * 7919 % 10000000)::text, 7, '0'),
    '+3361' || lpad((g.n * 7919 % 10000000)::text, 7, '0'), 'number', '0299000000', NULL,
    '[]', NULL, CASE WHEN g.n % 7 = 0 THEN NULL ELSE :agent END, 'unknown', NULL, true,
    d.day + time '08:30' + g.n * interval '20 seconds',
    CASE WHEN g.n % 7 = 0 THEN NULL
         ELSE d.day + time '08:30' + g.n * interval '20 seconds' + (g.n % 90) * interval '1 s'
    END,
    d.day + time '08:30' + g.n * interval '20 seconds' + interval '4 minutes', NULL, NULL,
    now(), now()
FROM generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') AS d(day)
CROSS JOIN generate_series(1, :per_day) AS g(n)
"""


def set_journal(engine: Engine, *, enabled: bool) -> None:
    """Switch the journal triggers (PostgreSQL): off for a bulk load, or to measure."""
    from importlib import import_module

    migration = import_module("crm_core.database.migrations.versions.0011_reports")
    verb = "ENABLE" if enabled else "DISABLE"
    with engine.begin() as connection:
        for name, table, *_ in migration.JOURNAL_TRIGGERS:
            connection.execute(text(f"ALTER TABLE {table} {verb} TRIGGER {name}"))


def _timed(action: Callable[[], object], repeats: int) -> list[float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


CPU_MS: dict[tuple[str, str], float] = {}  # client CPU per report (p50), beside the wall time


def _timed_cpu(key: tuple[str, str], action: Callable[[], object], repeats: int) -> list[float]:
    cpu: list[float] = []

    def measured() -> None:
        started = time.process_time()
        action()
        cpu.append((time.process_time() - started) * 1000)

    timings = _timed(measured, repeats)
    CPU_MS[key] = statistics.median(cpu)
    return timings


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def load(engine: Engine, interactions: int, console: Console) -> dict[str, float]:
    from crm_core.demo.loading import load_with_progress

    started = time.perf_counter()
    set_journal(engine, enabled=False)  # the rebuild below counts the bulk rows
    load_with_progress(engine=engine, residents=max(1, interactions // 10), cases=3,
                       interactions=10, console=console, timezone=CITY_ZONE,
                       index_for_search=False,
                       build_reports=False)  # rebuilt below, timed
    loaded = time.perf_counter() - started
    today = datetime.now(UTC).date()
    with engine.begin() as connection:
        site, agent = connection.execute(text(
            "SELECT site_id, id FROM agent WHERE site_id IS NOT NULL LIMIT 1")).one()
        services = list(connection.scalars(text("SELECT id FROM service")))
        window = {"first": today - timedelta(days=365), "last": today - timedelta(days=1)}
        connection.execute(text(_TICKETS_SQL), {"site": site, "services": services,
                                                "per_day": 300, **window})
        connection.execute(text(_CALLS_SQL), {"agent": agent, "per_day": 600, **window})
    set_journal(engine, enabled=True)
    started = time.perf_counter()
    from crm_core.reports.rebuild import rebuild

    with make_session_factory(engine)() as db_session:
        built = rebuild(db_session=db_session, timezone=CITY_ZONE)
        db_session.commit()
    rebuilt = time.perf_counter() - started
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    console.print(f"Roll-ups: {built.cells:,} cells, {built.presences:,} presence rows")
    return {"load_s": loaded, "rebuild_s": rebuilt}


def fan_out(engine: Engine, sites: int) -> int:
    """Copy the roll-up cells of the bulk site to `sites - 1` more sites (read side only)."""
    from crm_core.agents.enums import SiteKind
    from crm_core.agents.service import create_site
    from crm_core.demo.bulk import BULK_SITE_CODE

    with make_session_factory(engine)() as db_session:
        made = []
        for index in range(1, sites):
            code = f"bench-site-{index}"
            made.append(create_site(db_session=db_session, code=code,
                                    name=f"Mairie annexe {index}", kind=SiteKind.ANNEX).id)
        db_session.commit()
    with engine.begin() as connection:
        for site_id in made:
            connection.execute(text(
                "INSERT INTO report_cell SELECT n, residents, sum1, sum2, ok, due, flag1, flag2,"
                " kind, grain, period, :site, service_id, channel, detail FROM report_cell"
                " WHERE site_id IN (SELECT id FROM site WHERE code = :bulk)"
            ), {"site": site_id, "bulk": BULK_SITE_CODE})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE report_cell"))
        return int(connection.scalar(text("SELECT count(*) FROM report_cell")) or 0)


def time_reports(engine: Engine, repeats: int) -> list[tuple[str, str, list[float]]]:
    from crm_core.reports.query import Scope
    from crm_core.reports.service import REPORTS, build_report

    today = datetime.now(UTC).date()
    month_end = today.replace(day=1) - timedelta(days=1)
    periods = {
        "mois": (month_end.replace(day=1), month_end),
        "année": (date(today.year, 1, 1), date(today.year, 12, 31)),
    }
    results = []
    with make_session_factory(engine)() as db_session:
        for label, (start, end) in periods.items():
            scope = Scope(start=start, end=end, timezone=CITY_ZONE)
            for name in (*REPORTS, "month"):
                build_report(db_session=db_session, name=name, scope=scope)  # warm
                timings = _timed_cpu((label, name), partial(
                    build_report, db_session=db_session, name=name, scope=scope), repeats)
                results.append((label, name, timings))
            db_session.rollback()
    return results


def time_raw_baseline(engine: Engine, repeats: int) -> list[tuple[str, list[float]]]:
    today = datetime.now(UTC).date()
    month_end = today.replace(day=1) - timedelta(days=1)
    sql = text("SELECT channel, site_id, count(*) FROM interaction WHERE occurred_at >= :a"
               " AND occurred_at < :b GROUP BY channel, site_id")
    spans = {
        "mois (table brute)": (month_end.replace(day=1), month_end + timedelta(days=1)),
        "année (table brute)": (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
    }
    out = []
    with engine.connect() as connection:
        connection.execute(text(
            "CREATE INDEX IF NOT EXISTS bench_interaction_cover ON interaction"
            " (occurred_at, channel, site_id)"))
        connection.commit()
        for label, (a, b) in spans.items():
            bounds = {"a": a, "b": b}
            connection.execute(sql, bounds).all()
            out.append((label, _timed(partial(_fetch, connection, sql, bounds),
                                      max(3, repeats // 10))))
    return out


def fold_loop(url: str, every: float, ready: Any, stop: Any) -> None:
    """Fold the journal every `every` seconds until `stop` (a separate process); `ready`
    is set once imports and the connection are done, so that start-up is not timed."""
    from crm_core.reports.rollup import fold_pending

    engine = make_engine(url, pool_size=1)
    with make_session_factory(engine)() as db_session:
        fold_pending(db_session=db_session, timezone=CITY_ZONE)
        db_session.commit()
    ready.set()
    try:
        while not stop.wait(every):
            time.sleep(every)
            with make_session_factory(engine)() as db_session:
                fold_pending(db_session=db_session, timezone=CITY_ZONE)
                db_session.commit()
    finally:
        engine.dispose()


def _fetch(connection: Connection, sql: TextClause, bounds: dict[str, date]) -> None:
    connection.execute(sql, bounds).all()


def write_throughput(
    engine: Engine, *, seconds: float, writers: int, journal: bool, fold_every: float | None
) -> float:
    """Interactions committed per second by `writers` threads (one per transaction)."""
    from crm_core.channels import Channel
    from crm_core.interactions.enums import Outcome
    from crm_core.interactions.models import Interaction
    from crm_core.reports.rollup import fold_pending
    from crm_core.residents.models import Resident


    factory = make_session_factory(engine)
    with factory() as db_session:
        residents = list(db_session.scalars(select(Resident.id).limit(1000)))
    if not journal:
        set_journal(engine, enabled=False)
    stop = threading.Event()
    counts = [0] * writers

    def write(slot: int) -> None:
        index = 0
        while not stop.is_set():
            with factory() as db_session:
                db_session.add(Interaction(
                    resident_id=residents[(slot * 7919 + index) % len(residents)],
                    channel=Channel.PHONE, outcome=Outcome.INFORMED,
                ))
                db_session.commit()
            index += 1
            counts[slot] += 1


    threads = [threading.Thread(target=write, args=(slot,)) for slot in range(writers)]
    folder = None
    context = multiprocessing.get_context("spawn")
    ready, halt = context.Event(), context.Event()
    if journal and fold_every:  # its own process, as `relais report refresh` from a timer
        folder = context.Process(
            target=fold_loop, args=(engine.url.render_as_string(hide_password=False),
                                    fold_every, ready, halt))
        folder.start()
        ready.wait(120)
    try:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if folder is not None:
            halt.set()
            folder.join()
    finally:
        if not journal:
            set_journal(engine, enabled=True)
    if journal:  # what the folder had not reached yet is folded, and timed, here
        started = time.perf_counter()
        with factory() as db_session:
            folded = fold_pending(db_session=db_session, timezone=CITY_ZONE, limit=10**9)
            db_session.commit()
        if folded.facts:
            FOLD_RATES.append(folded.facts / (time.perf_counter() - started))
    return sum(counts) / elapsed


FOLD_RATES: list[float] = []


def run_reports_benchmark(
    *, interactions: int, repeats: int, sites: int, write_seconds: float, writers: int,
    console: Console, database_url: str | None = None, rounds: int = 5,
) -> None:
    from benchmarks.pgcluster import running_cluster

    if database_url:
        _run(database_url, None, interactions, repeats, sites, write_seconds, writers, console,
             rounds)
        return
    with running_cluster(tuned_for_tests=False) as cluster:
        url = cluster.create_database("relais_bench_reports")
        _run(url, "new", interactions, repeats, sites, write_seconds, writers, console, rounds)


def _run(url: str, fresh: str | None, interactions: int, repeats: int, sites: int,
         write_seconds: float, writers: int, console: Console, rounds: int) -> None:
    engine = make_engine(url, pool_size=writers + 4)
    try:
        setup: dict[str, float] = {}
        if fresh:
            upgrade(engine)
            console.print(f"Chargement de {interactions:,} contacts (COPY)…")
            setup = load(engine, interactions, console)
            cells = fan_out(engine, sites)
            console.print(f"Cellules après recopie sur {sites} sites : {cells:,}")
        with engine.connect() as connection:
            total = connection.scalar(select(func.count()).select_from(text("interaction")))
        console.print(f"Contacts dans la base : {total:,}")
        table = Table(title="Rapports depuis les cumuls (ms)")
        for column in ("période", "rapport", "p50", "p95", "max", "CPU client p50"):
            table.add_column(column, justify="left" if column in ("période", "rapport")
                             else "right")
        for label, name, timings in time_reports(engine, repeats):
            table.add_row(label, name, f"{statistics.median(timings):.1f}",
                          f"{_p(timings, 0.95):.1f}", f"{max(timings):.1f}",
                          f"{CPU_MS[(label, name)]:.1f}")
        for label, timings in time_raw_baseline(engine, repeats):
            table.add_row(label, "contacts par canal et site", f"{statistics.median(timings):.1f}",
                          f"{_p(timings, 0.95):.1f}", f"{max(timings):.1f}", "")
        console.print(table)
        modes = {
            "sans cumuls": (False, None), "journal seul": (True, None),
            "journal + repli toutes les 2 s": (True, 2.0),
        }
        # Interleaved short rounds: the load of a shared machine drifts over minutes, so
        # modes measured one after the other would compare different machines.
        rates: dict[str, list[float]] = {label: [] for label in modes}
        for _ in range(rounds):
            for label, (journal, every) in modes.items():
                rates[label].append(write_throughput(
                    engine, seconds=write_seconds / rounds, writers=writers, journal=journal,
                    fold_every=every))
        baseline = statistics.median(rates["sans cumuls"])
        console.print(f"Écritures ({writers} fils, une transaction ORM par contact, "
                      f"{rounds} tours alternés ; médiane, et min–max) :")
        for label, found in rates.items():
            rate = statistics.median(found)
            console.print(f"  {label:<34} {rate:8,.0f}/s  ({100 * (rate / baseline - 1):+.1f} %)"
                          f"  [{min(found):,.0f}–{max(found):,.0f}]")
        if FOLD_RATES:
            fold_rate = statistics.median(FOLD_RATES)
            console.print(f"Repli du journal (seul, sans écritures) : {fold_rate:,.0f}"
                          " faits/s (chacun dans 12 cellules : 3 grains × site/tous × "
                          "service/tous)")
        for key, value in setup.items():
            console.print(f"{key}: {value:,.1f}")
        console.print("[dim]Machine partagée (2 cœurs, 5 sessions) : chiffres bruités.[/]")
    finally:
        engine.dispose()



