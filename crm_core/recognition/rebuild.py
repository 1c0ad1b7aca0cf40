"""`rebuild_search_keys`: recompute every search key, fast, after a bulk load.

Residents are read in id order by keyset pages (no cursor stays open while we write, which
SQLite's single writer needs), keys are computed in Python by the same functions as the
live path (`KeySource.rows`), and written with COPY on PostgreSQL (indexes dropped and
rebuilt around the load) or executemany on SQLite. It runs in one transaction: readers
keep the old keys until it commits. On PostgreSQL the index rebuild locks `search_key`,
so searches wait while it runs: a maintenance operation, not a live one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, delete, insert, select, text

from crm_core.recognition.indexing import KeySource, alias_names
from crm_core.recognition.keys import KeyKind, vocabulary_keys
from crm_core.recognition.models import ResidentMerge, SearchKey, SearchTokenKey
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.models import ContactPoint, Resident

PAGE = 20_000
_LOOKUP_INDEX = "CREATE INDEX ix_search_key_lookup ON search_key (key, birth_date, resident_id)"
_DROP = {
    "postgresql": ("ALTER TABLE search_key DROP CONSTRAINT IF EXISTS pk_search_key",
                   "DROP INDEX IF EXISTS ix_search_key_lookup"),
    "sqlite": ("DROP INDEX IF EXISTS ix_search_key_lookup",),
}
_CREATE = {
    "postgresql": (
        "ALTER TABLE search_key ADD CONSTRAINT pk_search_key PRIMARY KEY (resident_id, key)",
        _LOOKUP_INDEX,
    ),
    "sqlite": (_LOOKUP_INDEX,),
}


@dataclass(frozen=True)
class RebuildStats:
    residents: int
    keys: int
    tokens: int
    seconds: float

    def __str__(self) -> str:
        return (f"{self.residents:,} usagers indexés : {self.keys:,} clés, {self.tokens:,}"
                f" mots de vocabulaire en {self.seconds:.1f} s").replace(",", "\u202f")


def rebuild_search_keys(
    *, engine: Engine, progress: Callable[[int], None] | None = None
) -> RebuildStats:
    began = time.perf_counter()
    is_pg = engine.dialect.name == "postgresql"
    residents = keys = 0
    vocabulary: set[str] = set()
    with engine.begin() as connection:
        for statement in _DROP[engine.dialect.name]:
            connection.execute(text(statement))
        if is_pg:
            connection.execute(text("TRUNCATE search_key, search_token_key"))
            connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        else:
            connection.execute(delete(SearchKey))
            connection.execute(delete(SearchTokenKey))
        has_merges = connection.scalar(
            select(ResidentMerge.id).where(ResidentMerge.undone_at.is_(None)).limit(1)
        ) is not None
        last: uuid.UUID | None = None
        while True:
            sources = _page(connection, last, has_merges)
            if not sources:
                break
            last = sources[-1].resident_id
            rows = [(s.resident_id, key, kind, s.birth_date)
                    for s in sources for key, kind in s.rows().items()]
            vocabulary.update(key for _, key, kind, _ in rows if kind is KeyKind.TOKEN)
            (_copy if is_pg else _insert)(connection, rows)
            residents += len(sources)
            keys += len(rows)
            if progress:
                progress(residents)
        _write_vocabulary(connection, vocabulary, is_pg)
        for statement in _CREATE[engine.dialect.name]:
            connection.execute(text(statement))
        connection.execute(text("ANALYZE search_key"))
        connection.execute(text("ANALYZE search_token_key"))
    return RebuildStats(residents, keys, len(vocabulary), time.perf_counter() - began)


def _page(connection: Connection, after: uuid.UUID | None, has_merges: bool) -> list[KeySource]:
    query = (
        select(Resident.id, Resident.given_name, Resident.family_name, Resident.birth_name,
               Resident.birth_date)
        .where(Resident.status == ResidentStatus.ACTIVE)
        .order_by(Resident.id).limit(PAGE)
    )
    if after is not None:
        query = query.where(Resident.id > after)
    sources = {
        row.id: KeySource(row.id, row.birth_date,
                          [(row.given_name, row.family_name, row.birth_name)])
        for row in connection.execute(query)
    }
    if not sources:
        return []
    first, last = min(sources), max(sources)
    for row in connection.execute(
        select(ContactPoint.resident_id, ContactPoint.kind, ContactPoint.value).where(
            ContactPoint.resident_id >= first, ContactPoint.resident_id <= last,
            ContactPoint.kind.in_([ContactKind.PHONE, ContactKind.EMAIL]),
        )
    ):
        source = sources.get(row.resident_id)
        if source is not None:
            (source.phones if row.kind == ContactKind.PHONE else source.emails).append(row.value)
    if has_merges:
        for survivor_id, names in alias_names(connection, list(sources)).items():
            sources[survivor_id].names.extend(names)
    return list(sources.values())


Rows = list[tuple[uuid.UUID, str, KeyKind, date | None]]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _copy(connection: Connection, rows: Rows) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
        "COPY search_key (resident_id, key, kind, birth_date) FROM STDIN"
    ) as copy:
        copy.write("".join(
            f"{rid}\t{_escape(key)}\t{int(kind)}\t{birth or chr(92) + 'N'}\n"
            for rid, key, kind, birth in rows
        ))


def _write_vocabulary(connection: Connection, tokens: set[str], is_pg: bool) -> None:
    rows = sorted({(key, token) for token in tokens for key in vocabulary_keys(token)})
    if is_pg:
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(
            "COPY search_token_key (key, token) FROM STDIN"
        ) as copy:
            copy.write("".join(f"{key}\t{token}\n" for key, token in rows))
        return
    for start in range(0, len(rows), PAGE):
        connection.execute(insert(SearchTokenKey), [
            {"key": key, "token": token} for key, token in rows[start:start + PAGE]
        ])


def _insert(connection: Connection, rows: Rows) -> None:
    """SQLite, straight to the driver: ids as the 32-digit hex and dates as ISO text, the
    storage of SQLAlchemy's Uuid and Date types there."""
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.executemany(
        "INSERT INTO search_key (resident_id, key, kind, birth_date) VALUES (?, ?, ?, ?)",
        [(rid.hex, key, int(kind), birth.isoformat() if birth else None)
         for rid, key, kind, birth in rows],
    )
