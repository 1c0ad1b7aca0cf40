"""`load_dataset`: fill a migrated database with a large synthetic dataset, fast.

For benchmarks and trials, not for the demo (`seed.py` goes through the services). Rows
are generated as text by `bulk_rows.RowFactory` and written by `bulk_writers`:
`COPY ... FROM STDIN` on PostgreSQL, from a worker thread while the next batch is being
generated, and `executemany` on SQLite.

What differs from rows written by the application, for speed:
- ids are time-ordered UUIDs (version 7) rather than random ones (version 4);
- constraints are not evaluated during the load where the engine allows it: foreign keys
  (SQLite `foreign_keys=OFF`; PostgreSQL `session_replication_role = replica` when
  connected as a superuser) and SQLite's enum CHECKs (`ignore_check_constraints`). The
  generator writes parents before children and only enum values; the tests check both;
- when the load is larger than what the tables already hold, secondary indexes are
  dropped and rebuilt at the end (primary keys and unique constraints stay);
- no access-log rows, and at most two status changes per case (opening, final status).

Each batch is committed: unlike the services, this loader commits, so never point it at a
database shared with other work. Loading twice adds a second, distinct population: the
random stream is seeded with `rng_seed` and the number of residents already there, phone
numbers and e-mails derive from each resident's global position, and the references
already taken are read once at the start.
"""

from __future__ import annotations

import queue
import random
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select, text

from crm_core.agents import service as agents
from crm_core.agents.enums import Role, SiteKind
from crm_core.agents.models import Agent, Site
from crm_core.cases import service as cases
from crm_core.cases.models import Case, Service
from crm_core.cases.schemas import ServiceCreate
from crm_core.database.engine import make_session_factory
from crm_core.demo.bulk_rows import Batch, RowFactory
from crm_core.demo.bulk_writers import TABLES, PostgresWriter, SqliteWriter, Writer
from crm_core.demo.catalogue import SERVICES
from crm_core.residents.models import Resident

BULK_SITE_CODE = "donnees-synthetiques"
BULK_AGENT_USERNAME = "agent-synthetique"


def _n(number: int) -> str:
    """12345 -> '12 345' (narrow no-break space, as French typography wants)."""
    return f"{number:,}".replace(",", "\u202f")


@dataclass(frozen=True, slots=True)
class BulkSample:
    """Rows that exist, for benchmarks to query: mobiles and e-mails match one resident."""

    resident_ids: list[uuid.UUID] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BulkStats:
    engine: str
    residents: int
    contact_points: int
    cases: int
    status_changes: int
    interactions: int
    elapsed_seconds: float
    sample: BulkSample = field(repr=False)

    @property
    def rows(self) -> int:
        return (self.residents + self.contact_points + self.cases + self.status_changes
                + self.interactions)

    def __str__(self) -> str:
        rate = round(self.rows / max(self.elapsed_seconds, 1e-9))
        return (
            f"{self.engine} : {_n(self.residents)} usagers, {_n(self.contact_points)}"
            f" coordonnées, {_n(self.cases)} demandes, {_n(self.interactions)} contacts"
            f" ({_n(self.rows)} lignes) en {self.elapsed_seconds:.1f} s"
            f" ({_n(rate)} lignes/s)"
        )

    def __rich__(self) -> str:
        return str(self)


def _prepare(engine: Engine) -> tuple[str, str, list[tuple[str, str, int]], set[str], int]:
    """Site, agent and services (created if missing), references taken, residents there."""
    with make_session_factory(engine)() as db_session:
        site = db_session.scalar(select(Site).where(Site.code == BULK_SITE_CODE))
        if site is None:
            site = agents.create_site(
                db_session=db_session, code=BULK_SITE_CODE, name="Mairie (données synthétiques)",
                kind=SiteKind.TOWN_HALL, insee_code="35238",
            )
        agent = db_session.scalar(select(Agent).where(Agent.username == BULK_AGENT_USERNAME))
        if agent is None:  # nobody signs in as this agent: its password is thrown away
            agent = agents.create_agent(
                db_session=db_session, username=BULK_AGENT_USERNAME,
                display_name="Agent (données synthétiques)", password=secrets.token_urlsafe(),
                role=Role.COUNTER, site_code=BULK_SITE_CODE,
            )
        for spec in SERVICES:
            if db_session.scalar(select(Service.id).where(Service.code == spec.code)) is None:
                cases.create_service(db_session=db_session, data=ServiceCreate(
                    code=spec.code, label=spec.label,
                    announced_delay_days=spec.announced_delay_days,
                ))
        catalogue = {spec.code for spec in SERVICES}
        services = [
            (row.id.hex, row.code, row.announced_delay_days)
            for row in db_session.execute(
                select(Service.id, Service.code, Service.announced_delay_days)
                .where(Service.code.in_(catalogue)).order_by(Service.code)
            )
        ]
        taken = set(db_session.scalars(select(Case.reference)))
        existing = db_session.scalar(select(func.count()).select_from(Resident)) or 0
        db_session.commit()
        return site.id.hex, agent.id.hex, services, taken, existing


class _Pipeline:
    """Writes batches while the next one is generated (PostgreSQL), or in line (SQLite).

    The PostgreSQL server parses COPY data in its own process, so a writer thread lets
    Python and the server work at once; `sqlite3` holds the interpreter lock while binding
    rows, and a thread only adds contention (measured slower), so SQLite writes in line.
    """

    def __init__(self, writer: Writer, *, threaded: bool) -> None:
        self.writer = writer
        self.pending: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.written = 0
        self.thread = threading.Thread(target=self._run, name="bulk-writer", daemon=True)
        if threaded:
            self.thread.start()

    def _write(self, batch: Batch) -> None:
        self.writer.write(batch)
        self.written += len(batch.residents)

    def _run(self) -> None:
        while (batch := self.pending.get()) is not None:
            if self.error is None:
                try:
                    self._write(batch)
                except BaseException as exc:  # re-raised on the caller's thread
                    self.error = exc

    def put(self, batch: Batch) -> None:
        if self.error is not None:
            raise self.error
        if self.thread.is_alive():
            self.pending.put(batch)
        else:
            self._write(batch)

    def close(self) -> None:
        if self.thread.is_alive():
            self.pending.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error


def load_dataset(
    *, engine: Engine, residents: int, cases_per_resident: float = 3,
    interactions_per_resident: float = 10, rng_seed: int = 7,
    progress: Callable[[int], None] | None = None, batch: int = 10_000,
    sample_size: int = 1000,
) -> BulkStats:
    """Load `residents` synthetic residents with their contact points, cases and contacts.

    `progress(n)` is called on the calling thread with the number of residents written.
    """
    started = time.perf_counter()
    dialect = engine.dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise ValueError(f"unsupported database engine: {dialect}")
    site_id, agent_id, services, taken, existing = _prepare(engine)
    rng = random.Random(f"{rng_seed}:{existing}")  # noqa: S311 - synthetic data
    factory = RowFactory(
        rng=rng, today=datetime.now(UTC).date(),
        ts_suffix="+00" if dialect == "postgresql" else "", first_index=existing,
        services=services, agent_id=agent_id, site_id=site_id, taken_references=taken,
        cases_per_resident=cases_per_resident,
        interactions_per_resident=interactions_per_resident,
        sample_rate=min(1.0, 1.2 * sample_size / max(residents, 1)),
        epoch_millis=time.time_ns() // 1_000_000,
    )
    rebuild = existing < residents  # rebuilding indexes only pays when the load dominates
    raw = engine.raw_connection()
    writer: Writer = (PostgresWriter if dialect == "postgresql" else SqliteWriter)(
        raw, rebuild_indexes=rebuild
    )
    counts = dict.fromkeys((attribute for _, _, attribute in TABLES), 0)
    picked: list[tuple[str, str, str | None, str | None]] = []
    try:
        background = _Pipeline(writer, threaded=dialect == "postgresql")
        try:
            generated = 0
            while generated < residents:
                rows = factory.batch(min(batch, residents - generated))
                generated += len(rows.residents)
                for attribute in counts:
                    counts[attribute] += len(getattr(rows, attribute))
                picked += rows.sample
                background.put(rows)
                if progress and background.written:
                    progress(background.written)
        finally:
            background.close()
    finally:
        writer.finish()
    if progress:
        progress(residents)
    picked = picked[:sample_size]
    return BulkStats(
        engine=dialect, **counts, elapsed_seconds=time.perf_counter() - started,
        sample=BulkSample(
            resident_ids=[uuid.UUID(p[0]) for p in picked], phones=[p[1] for p in picked],
            emails=[p[2] for p in picked if p[2]], references=[p[3] for p in picked if p[3]],
        ),
    )


def sample_rows(*, engine: Engine, size: int = 500) -> BulkSample:
    """Real rows of a database loaded earlier, spread over the tables (ORDER BY random())."""
    queries = {
        "resident_ids": "SELECT id FROM resident WHERE status = 'active'",
        "phones": "SELECT value FROM contact_point WHERE kind = 'phone' AND label = 'mobile'",
        "emails": "SELECT value FROM contact_point WHERE kind = 'email'",
        "references": 'SELECT reference FROM "case"',
    }
    found: dict[str, list[Any]] = {}
    with engine.connect() as connection:
        for name, sql in queries.items():
            found[name] = list(connection.scalars(
                text(f"{sql} ORDER BY random() LIMIT :size"), {"size": size}
            ))
    found["resident_ids"] = [uuid.UUID(str(value)) for value in found["resident_ids"]]
    return BulkSample(**found)
