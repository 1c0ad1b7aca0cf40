"""Writers of the bulk loader: `COPY` on PostgreSQL, `executemany` on SQLite.

Both commit once per batch and, when the tables hold fewer rows than are being loaded,
drop the secondary indexes for the load and rebuild them at the end (one sort instead of
millions of scattered inserts). Primary keys and unique constraints stay in place.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from crm_core.demo.bulk_rows import Batch

Row = tuple[str | None, ...]
TABLES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("resident", (
        "id", "given_name", "family_name", "birth_name", "given_name_key", "family_name_key",
        "birth_date", "address_line", "postal_code", "city", "insee_code", "status",
        "merged_into_id", "created_at", "updated_at"), "residents"),
    ("contact_point", (
        "id", "resident_id", "kind", "value", "label", "verified", "contact_allowed",
        "source_channel", "created_by_agent_id", "created_at"), "contact_points"),
    ("case", (
        "id", "reference", "resident_id", "service_id", "kind", "status", "origin_channel",
        "subject", "description", "external_system", "external_id", "opened_at", "due_date",
        "resolved_at", "closed_at", "site_id", "opened_by_agent_id", "created_at",
        "updated_at"), "cases"),
    ("case_status_change", (
        "id", "case_id", "from_status", "to_status", "channel", "changed_at", "agent_id",
        "interaction_id", "note"), "status_changes"),
    ("interaction", (
        "id", "resident_id", "case_id", "channel", "direction", "outcome", "note",
        "occurred_at", "ended_at", "agent_id", "site_id", "idempotency_key", "created_at"),
     "interactions"),
)
TABLE_NAMES = tuple(name for name, _, _ in TABLES)


class Writer(Protocol):
    def write(self, batch: Batch) -> None: ...
    def finish(self) -> None: ...


def _chunks(rows: Sequence[Row], size: int) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _columns(columns: tuple[str, ...]) -> str:
    return ", ".join(columns)


class PostgresWriter:
    """COPY in text format. As a superuser, foreign-key triggers are skipped for the load
    (`session_replication_role = replica`): the generator writes parents first."""

    def __init__(self, raw: Any, *, rebuild_indexes: bool) -> None:
        self.raw = raw
        self.conn = raw.driver_connection
        self.superuser = bool(self.conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0])
        self.indexes: list[tuple[str, str]] = []
        if rebuild_indexes:
            self.indexes = self.conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() AND tablename = ANY(%s)"
                " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                (list(TABLE_NAMES),),
            ).fetchall()
            for name, _ in self.indexes:
                self.conn.execute(f'DROP INDEX "{name}"')
        self.conn.commit()

    def write(self, batch: Batch) -> None:
        null = r"\N"
        with self.conn.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            if self.superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")
            for table, columns, attribute in TABLES:
                rows: list[Row] = getattr(batch, attribute)
                if not rows:
                    continue
                with cursor.copy(f'COPY "{table}" ({_columns(columns)}) FROM STDIN') as copy:
                    for chunk in _chunks(rows, 20_000):
                        copy.write("".join(
                            ["\t".join([null if v is None else v for v in row]) + "\n"
                             for row in chunk]
                        ))
        self.conn.commit()

    def finish(self) -> None:
        try:
            self.conn.rollback()  # in case a write failed half-way
            with self.conn.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for _, definition in self.indexes:
                    cursor.execute(definition)
                cursor.execute("RESET maintenance_work_mem")
                cursor.execute("ANALYZE")
            self.conn.commit()
        finally:
            self.raw.close()


class SqliteWriter:
    """executemany in one transaction per batch, `synchronous=OFF`, and neither foreign-key
    nor CHECK constraints evaluated for the load only (the enum CHECKs alone cost a third
    of the time; the generator only draws enum values); settings are put back at the end."""

    _PRAGMAS = ("synchronous", "foreign_keys", "ignore_check_constraints", "cache_size")

    def __init__(self, raw: Any, *, rebuild_indexes: bool) -> None:
        self.raw = raw
        self.conn = raw.driver_connection
        self.saved = {name: self.conn.execute(f"PRAGMA {name}").fetchone()[0]
                      for name in self._PRAGMAS}
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA foreign_keys=OFF")
        self.conn.execute("PRAGMA ignore_check_constraints=ON")
        self.conn.execute("PRAGMA cache_size=-262144")  # 256 MiB for the indexes
        self.statements = {
            attribute: f'INSERT INTO "{table}" ({_columns(columns)})'  # noqa: S608 - our names
                       f" VALUES ({', '.join('?' for _ in columns)})"
            for table, columns, attribute in TABLES
        }
        self.indexes: list[tuple[str, str]] = []
        if rebuild_indexes:
            self.indexes = [
                (name, sql) for name, sql, table in self.conn.execute(
                    "SELECT name, sql, tbl_name FROM sqlite_master"
                    " WHERE type = 'index' AND sql IS NOT NULL"
                ) if table in TABLE_NAMES
            ]
            for name, _ in self.indexes:
                self.conn.execute(f'DROP INDEX "{name}"')

    def write(self, batch: Batch) -> None:
        cursor = self.conn.cursor()
        cursor.execute("BEGIN")
        try:
            for attribute, statement in self.statements.items():
                cursor.executemany(statement, getattr(batch, attribute))
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.close()

    def finish(self) -> None:
        try:
            for _, definition in self.indexes:
                self.conn.execute(definition)
            self.conn.execute("PRAGMA analysis_limit=2000")
            self.conn.execute("ANALYZE")
        finally:
            for name, value in self.saved.items():
                self.conn.execute(f"PRAGMA {name}={int(value)}")
            self.raw.close()
