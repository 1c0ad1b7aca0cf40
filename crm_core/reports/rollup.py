"""Keeping the roll-ups: fold the journal incrementally, or rebuild them from the tables.

**Distinct residents.** A cell's `residents` must never overstate how many people are
behind it, or suppression would let a small group through. Distinct counts do not add up
across cells, so they are kept exactly per cell (day, month and year grains) with a
presence set: folding a fact inserts (cell, who) with ON CONFLICT DO NOTHING, and only
the rows actually inserted increment `residents`. Presence rows are kept only while a
period can still receive late writes (`LATE_DAYS`, the backdating limit of exchanges);
`prune_presence` drops the rest. A late write into a period whose presence set is gone
adds to the counts but not to `residents`: the figure can then only be *lower* than the
truth, which can only suppress more, never less. Reports combine cells with a lower
bound too (see `service`).

**Saturation.** Suppression only asks "at least 5 people?", so a cell stops recording who
once it counts `SATURATION` (5) residents, and a batch offers at most 5 candidates per
cell (5 distinct people are enough to reach 5, fewer are all of them): presence sets stay
under 10 rows per cell whatever the volume, and folding a fact into a full cell costs no
presence insert. The `residents` figure is then "5 or more" — still a lower bound.

**Contention.** Writers only append journal rows; one folder at a time turns them into
upserts (`DELETE … RETURNING` on the oldest journal rows, facts read by primary key,
cells upserted in key order), all in the caller's transaction: a crash before commit
leaves the journal as it was.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from typing import cast as typed

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    String,
    Table,
    Uuid,
    and_,
    bindparam,
    cast,
    delete,
    func,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm_core.config import city_today
from crm_core.database.local_days import local_date
from crm_core.reports.facts import KINDS, fact_select
from crm_core.reports.models import ALL_ID, ReportCell, ReportDelta, ReportPresence
from crm_core.reports.periods import GRAINS, grain_start
from crm_core.small_groups import MIN_RESIDENTS

LATE_DAYS = 31

# Suppression only needs to know whether a cell holds at least MIN_RESIDENTS people: a
# cell that reached it stops recording who (its figure stays a lower bound of the truth).
SATURATION = MIN_RESIDENTS
FOLD_BATCH = 20_000
_ID_CHUNK = 5_000
KEY_COLUMNS = ("kind", "grain", "period", "site_id", "service_id", "channel", "detail")
COUNTERS = ("n", "residents", "sum1", "sum2", "ok", "due", "flag1", "flag2")
_FACT_COUNTERS = ("sum1", "sum2", "ok", "due", "flag1", "flag2")

CellKey = tuple[str, str, date, str, str, str, str]  # site and service ids as text
_ALL = str(ALL_ID)


def open_since(grain: str, today: date) -> date:
    """The first period of `grain` that may still receive late writes."""
    return grain_start(grain, today - timedelta(days=LATE_DAYS))


def _insert(db_session: Session) -> Any:
    return postgresql.insert if _dialect(db_session) == "postgresql" else sqlite.insert


def _dialect(db_session: Session) -> str:
    return db_session.get_bind().dialect.name


@dataclass
class FoldResult:
    deltas: int = 0
    facts: int = 0
    cells: int = 0


def fold_pending(
    *, db_session: Session, timezone: str, limit: int = FOLD_BATCH, today: date | None = None
) -> FoldResult:
    """Fold up to `limit` journal rows into the roll-ups, in the caller's transaction; the
    days are the city's (`timezone`), `today` too unless given."""
    taken = db_session.execute(_take(_dialect(db_session)), {"limit": limit}).all()
    result = FoldResult(deltas=len(taken))
    if not taken:
        return result
    by_kind: dict[str, list[uuid.UUID]] = {}
    for kind, entity_id in taken:
        by_kind.setdefault(kind, []).append(entity_id)
    facts = [
        (kind, row)
        for kind, ids in by_kind.items() if kind in KINDS
        for chunk in _chunks(ids)
        for row in db_session.execute(
            fact_select(kind, _dialect(db_session), timezone, chunk)).mappings()
    ]
    result.facts = len(facts)
    result.cells = _apply(db_session, facts, today or city_today(timezone), timezone)
    return result


@lru_cache(maxsize=4)
def _take(dialect: str) -> Any:
    """`DELETE … RETURNING` of the oldest journal rows, built once (it runs before every
    report, mostly on an empty journal)."""
    oldest = select(ReportDelta.id).order_by(ReportDelta.id).limit(bindparam("limit"))
    if dialect != "postgresql":
        return delete(ReportDelta).where(ReportDelta.id.in_(oldest.scalar_subquery())
                                         ).returning(ReportDelta.kind, ReportDelta.entity_id)
    # Several folders share the journal without waiting (SKIP LOCKED). The rows are
    # chosen once, in a materialised CTE: as an IN subquery PostgreSQL may scan it again
    # during the delete, skip the rows this very statement removed, and take more than
    # the batch (a test saw 4 rows taken for a limit of 2).
    chosen = oldest.with_for_update(skip_locked=True).cte("chosen").prefix_with(
        "MATERIALIZED")
    return delete(ReportDelta).where(ReportDelta.id.in_(select(chosen.c.id))).returning(
        ReportDelta.kind, ReportDelta.entity_id)


def fold_all(*, db_session: Session, timezone: str, today: date | None = None) -> FoldResult:
    total = FoldResult()
    while (step := fold_pending(db_session=db_session, timezone=timezone, today=today)).deltas:
        total.deltas += step.deltas
        total.facts += step.facts
        total.cells += step.cells
    return total


def _chunks(ids: Sequence[uuid.UUID]) -> Iterable[Sequence[uuid.UUID]]:
    for start in range(0, len(ids), _ID_CHUNK):
        yield ids[start:start + _ID_CHUNK]


def _apply(db_session: Session, facts: list[tuple[str, Any]], today: date, zone: str) -> int:
    # First per base cell (kind, day, site, service, channel, detail): a batch holds many
    # facts of the same day and place, so each is one dict update here, not twelve.
    base: dict[tuple[str, date, str, str, str, str], list[float]] = {}
    whos: dict[tuple[str, date, str, str, str, str], set[str]] = {}
    for kind, row in facts:
        # Text keys: hashing and sorting tens of thousands of them is cheap (UUIDs are not).
        base_key = (kind, local_date(row["at"], zone), str(row["site_id"]),
                    str(row["service_id"]), str(row["channel"]), str(row["detail"]))
        totals = base.get(base_key)
        if totals is None:
            totals = base[base_key] = [0.0] * (1 + len(_FACT_COUNTERS))
            whos[base_key] = set()
        totals[0] += 1
        for index, name in enumerate(_FACT_COUNTERS, start=1):
            totals[index] += float(row[name] or 0)
        # Suppression asks "at least SATURATION people?": SATURATION distinct candidates
        # per cell are enough to answer it (with them, the cell's set holds at least
        # SATURATION people), and fewer are all of them (exact).
        seen = whos[base_key]
        if len(seen) < SATURATION:
            seen.add(str(row["who"]))
    cells: dict[CellKey, dict[str, float]] = {}
    candidates: dict[CellKey, set[str]] = {}
    opens = {grain: open_since(grain, today) for grain in GRAINS}
    for (kind, day, site, service, channel, detail), totals in base.items():
        seen = whos[(kind, day, site, service, channel, detail)]
        for grain in GRAINS:
            period = grain_start(grain, day)
            is_open = period >= opens[grain]
            for site_key, service_key in (
                (site, service), (_ALL, service), (site, _ALL), (_ALL, _ALL)
            ):
                key: CellKey = (kind, grain, period, site_key, service_key, channel, detail)
                counters = cells.setdefault(key, dict.fromkeys(COUNTERS, 0.0))
                counters["n"] += totals[0]
                for index, name in enumerate(_FACT_COUNTERS, start=1):
                    counters[name] += totals[index]
                if is_open:
                    wanted = candidates.setdefault(key, set())
                    for who in seen:
                        if len(wanted) >= SATURATION:
                            break
                        wanted.add(who)
    present = {(key, who) for key, wanted in candidates.items() for who in wanted}
    if present:  # a cell known to hold enough people needs no more presence rows
        full = _saturated(db_session, {key for key, _ in present})
        present = {(key, who) for key, who in present if key not in full}
    for key, added in _new_presences(db_session, present).items():
        cells[key]["residents"] += added
    ordered = sorted(cells.items())
    if _dialect(db_session) == "postgresql":
        _pg_upsert_cells(db_session, ordered)
        return len(ordered)
    insert = _insert(db_session)
    statement = insert(ReportCell.__table__)  # Core, not the ORM's bulk machinery
    table = ReportCell.__table__
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={name: table.c[name] + statement.excluded[name] for name in COUNTERS},
    )
    rows = [
        {**_key_dict(key),
         **{name: int(value) if name not in ("sum1", "sum2") else value
            for name, value in counters.items()}}
        for key, counters in ordered
    ]
    db_session.connection().execute(statement, rows)
    return len(rows)


# PostgreSQL: whole batches as one statement over arrays (unnest), so that the driver
# handles a dozen parameters rather than tens of thousands of placeholders.
_KEY_TYPES: dict[str, Any] = {"period": Date(), "site_id": String(), "service_id": String()}
_COUNTER_TYPES: dict[str, Any] = {"sum1": Float(), "sum2": Float()}


def _unnested(names: tuple[str, ...]) -> Any:
    arrays = [
        cast(bindparam(name), postgresql.ARRAY(
            _KEY_TYPES.get(name) or _COUNTER_TYPES.get(name)
            or (BigInteger() if name in COUNTERS else String())))
        for name in names
    ]
    source = func.unnest(*arrays).table_valued(*names).render_derived()
    return select(*(
        cast(source.c[name], Uuid()).label(name) if name in ("site_id", "service_id")
        else source.c[name]
        for name in names
    ))


def _pg_cells() -> Any:
    names = KEY_COLUMNS + COUNTERS
    table = typed(Table, ReportCell.__table__)
    statement = postgresql.insert(table).from_select(list(names), _unnested(names))
    return statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={name: table.c[name] + statement.excluded[name] for name in COUNTERS},
    )


def _pg_presence() -> Any:
    names = (*KEY_COLUMNS, "who")
    return postgresql.insert(typed(Table, ReportPresence.__table__)).from_select(
        list(names), _unnested(names)
    ).on_conflict_do_nothing().returning(
        *(ReportPresence.__table__.c[name] for name in KEY_COLUMNS))


_PG_CELLS = _pg_cells()
_PG_PRESENCE = _pg_presence()


def _columns(rows: list[tuple[Any, ...]], names: tuple[str, ...]) -> dict[str, list[Any]]:
    return {name: [row[index] for row in rows] for index, name in enumerate(names)}


def _pg_upsert_cells(
    db_session: Session, ordered: list[tuple[CellKey, dict[str, float]]]
) -> None:
    rows = [(*key, *(counters[name] if name in ("sum1", "sum2") else int(counters[name])
                     for name in COUNTERS)) for key, counters in ordered]
    db_session.execute(_PG_CELLS, _columns(rows, KEY_COLUMNS + COUNTERS))


def _saturated(db_session: Session, keys: set[CellKey]) -> set[CellKey]:
    """The cells among `keys` already counting `SATURATION` residents or more."""
    cell = typed(Table, ReportCell.__table__)
    if _dialect(db_session) == "postgresql":
        wanted = _unnested(KEY_COLUMNS).subquery("wanted")
        statement = select(*(cell.c[name] for name in KEY_COLUMNS)).join(
            wanted, and_(*(cell.c[name] == wanted.c[name] for name in KEY_COLUMNS))
        ).where(cell.c.residents >= SATURATION)
        found = db_session.execute(statement, _columns(sorted(keys), KEY_COLUMNS))
    else:
        rows = [tuple(_key_dict(key)[name] for name in KEY_COLUMNS) for key in sorted(keys)]
        found = db_session.execute(
            select(*(cell.c[name] for name in KEY_COLUMNS)).where(
                tuple_(*(cell.c[name] for name in KEY_COLUMNS)).in_(rows),
                cell.c.residents >= SATURATION,
            )
        )
    return {_text_key(tuple(row)) for row in found}


def _new_presences(db_session: Session, present: set[tuple[CellKey, str]]) -> Counter[CellKey]:
    added: Counter[CellKey] = Counter()
    if not present:
        return added
    if _dialect(db_session) == "postgresql":
        rows_pg = [(*key, who) for key, who in sorted(present)]
        for returned in db_session.execute(
            _PG_PRESENCE, _columns(rows_pg, (*KEY_COLUMNS, "who"))
        ):
            added[_text_key(tuple(returned))] += 1
        return added
    insert = _insert(db_session)
    statement = insert(ReportPresence.__table__).on_conflict_do_nothing().returning(
        *(ReportPresence.__table__.c[name] for name in KEY_COLUMNS)
    )
    rows = [{**_key_dict(key), "who": who} for key, who in sorted(present)]
    for returned in db_session.connection().execute(statement, rows):
        added[_text_key(tuple(returned))] += 1
    return added


def _key_dict(key: CellKey) -> dict[str, Any]:
    values = dict(zip(KEY_COLUMNS, key, strict=True))
    values["site_id"], values["service_id"] = uuid.UUID(key[3]), uuid.UUID(key[4])
    return values


def _text_key(returned: tuple[Any, ...]) -> CellKey:
    kind, grain, period, site, service, channel, detail = returned
    return (kind, grain, period, str(site), str(service), channel, detail)


def prune_presence(*, db_session: Session, today: date) -> int:
    """Drop presence sets of periods closed to late writes (`today`: the city's);
    returns the rows deleted."""
    deleted = 0
    for grain in GRAINS:
        result = db_session.execute(delete(ReportPresence).where(
            ReportPresence.grain == grain, ReportPresence.period < open_since(grain, today)
        ))
        deleted += result.rowcount or 0  # type: ignore[attr-defined]
    return deleted
