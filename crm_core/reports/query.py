"""Reading the roll-ups: a report's scope, its cells (fetched in one query per report),
and how cells combine.

**Combining cells.** Every fact is counted in its site × service cell and in the "all
sites" / "all services" cells, per day, month and year: a report reads the cells of its
filter (or the "all" ones), so a calendar month or year by site, by service or over
everything is one cell per published figure, with an exact distinct-resident count.
Other combinations (an arbitrary period made of days and months, a table row made of
several channels...) add counts up, but distinct residents do not add (the same person
may be in several parts): their residents figure is the *largest* distinct count among
the parts — a true lower bound (a union has at least as many people as its largest
part). Suppressing on a lower bound can only suppress more than an exact count would,
never less.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from typing import cast as typed

from sqlalchemy import (
    BigInteger,
    Float,
    String,
    Uuid,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from crm_core.agents.models import Site
from crm_core.cases.models import Service
from crm_core.reports import labels
from crm_core.reports.models import ALL_ID, ReportCell
from crm_core.reports.periods import decompose


@dataclass(frozen=True)
class Scope:
    start: date
    end: date
    timezone: str  # the city's: its local days and its today
    site: Site | None = None
    service: Service | None = None

    @property
    def site_label(self) -> str:
        return self.site.name if self.site else labels.ALL_SITES

    @property
    def service_label(self) -> str:
        return self.service.label if self.service else labels.ALL_SERVICES


@dataclass
class Agg:
    """Figures of a combination of roll-up cells (`residents`: the lower bound)."""

    n: int = 0
    residents: int = 0
    sum1: float = 0.0
    sum2: float = 0.0
    ok: int = 0
    due: int = 0
    flag1: int = 0
    flag2: int = 0

    def add(self, other: Agg) -> None:
        self.n += other.n
        self.residents = max(self.residents, other.residents)
        self.sum1 += other.sum1
        self.sum2 += other.sum2
        self.ok += other.ok
        self.due += other.due
        self.flag1 += other.flag1
        self.flag2 += other.flag2


def combined(aggs: Iterable[Agg]) -> Agg:
    total = Agg()
    for agg in aggs:
        total.add(agg)
    return total


def marginal(groups: dict[tuple[Any, ...], Agg], index: int) -> dict[Any, Agg]:
    """Figures per value of one dimension of a finer grouping (no second query: the
    residents' maximum of a union of groups is the maximum of their maxima)."""
    found: dict[Any, Agg] = {}
    for key, agg in groups.items():
        found.setdefault(key[index], Agg()).add(agg)
    return found


_DIMENSIONS = ("period", "site_id", "service_id", "channel", "detail")


# One read of roll-up cells: (kind, dimensions, explicit parts or None for the scope's).
Read = tuple[str, tuple[str, ...], tuple[tuple[str, date], ...] | None]
_PREFETCHED = "report_prefetched_cells"


@dataclass
class Cells:
    """The roll-up cells of one kind covering a scope, summed in SQL by the dimensions
    asked for (counts and sums add up; residents take the maximum, a lower bound)."""

    db_session: Session
    kind: str
    scope: Scope
    parts: list[tuple[str, date]] | None = None

    def read(self, *dimensions: str) -> Read:
        return (self.kind, dimensions, tuple(self.parts) if self.parts is not None else None)

    def by(self, *dimensions: str) -> dict[Any, Agg]:
        """Figures per value of one dimension (or per tuple of several): from what
        `prefetch` read for this report, else with a statement of its own."""
        assert all(d in _DIMENSIONS for d in dimensions)
        prefetched = self.db_session.info.get(_PREFETCHED, {})
        found = prefetched.get((self.scope, self.read(*dimensions)))
        if found is None:
            found = self._collect(dimensions, self.db_session.execute(
                self.grouped(dimensions), self.params()))
        return typed(dict[Any, Agg], found)

    def grouped(self, dimensions: tuple[str, ...], *, as_text: bool = False, tag: int = 0) -> Any:
        """The grouping statement; it depends only on the *shape* of the read (kind,
        dimensions, grains, filters) — values are parameters (`params`) — so it can be kept."""
        cell = ReportCell
        keys: list[Any] = [getattr(cell, d) for d in dimensions]
        shown = [cast(key, String) for key in keys] if as_text else keys
        return select(
            *shown, func.sum(cell.n), func.max(cell.residents), func.sum(cell.sum1),
            func.sum(cell.sum2), func.sum(cell.ok), func.sum(cell.due), func.sum(cell.flag1),
            func.sum(cell.flag2),
        ).where(*self._where(dimensions, tag)).group_by(*keys)

    def params(self, tag: int = 0) -> dict[str, Any]:
        found: dict[str, Any] = {
            f"periods_{tag}_{grain}": periods for grain, periods in self.grains().items()}
        for key, chosen in (("site_id", self.scope.site), ("service_id", self.scope.service)):
            if chosen is not None:
                found[f"chosen_{key}"] = chosen.id
        return found

    @staticmethod
    def _collect(dimensions: tuple[str, ...], rows: Iterable[Any]) -> dict[Any, Agg]:
        found: dict[Any, Agg] = {}
        width = len(dimensions)
        for row in rows:
            key = row[0] if width == 1 else tuple(row[:width])
            found[key] = Agg(int(row[width] or 0), int(row[width + 1] or 0),
                             float(row[width + 2] or 0), float(row[width + 3] or 0),
                             *(int(value or 0) for value in row[width + 4:]))
        return found

    def total(self) -> Agg:
        return self.by().get((), Agg())

    def grains(self) -> dict[str, list[date]]:
        found: dict[str, list[date]] = {}
        parts = self.parts if self.parts is not None else decompose(
            self.scope.start, self.scope.end)
        for grain, period in parts:
            found.setdefault(grain, []).append(period)
        return dict(sorted(found.items()))

    def shape(self, dimensions: tuple[str, ...]) -> tuple[Any, ...]:
        return (self.kind, dimensions, tuple(self.grains()))

    def _where(self, dimensions: tuple[str, ...], tag: int) -> list[Any]:
        cell = ReportCell
        where: list[Any] = [cell.kind == self.kind, or_(*(
            and_(cell.grain == grain,
                 cell.period.in_(bindparam(f"periods_{tag}_{grain}", expanding=True)))
            for grain in self.grains()))]
        # The cells of one site (service) when filtered, the "all" cells when not, unless
        # the table is broken down by site (service).
        for column, chosen in ((cell.site_id, self.scope.site),
                               (cell.service_id, self.scope.service)):
            if chosen is not None:
                where.append(column == bindparam(f"chosen_{column.key}", type_=Uuid()))
            elif column.key in dimensions:
                where.append(column != ALL_ID)
            else:
                where.append(column == ALL_ID)
        return where


def read_cells(
    *, db_session: Session, kind: str, scope: Scope,
    parts: list[tuple[str, date]] | None = None,
) -> Cells:
    """The roll-up cells of one kind covering the scope (never the raw tables)."""
    return Cells(db_session, kind, scope, parts)


def names(db_session: Session, model: Any, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Site names or service labels (public places and themes, never people), read once
    per report: the catalogues are small, and a report's tables share them."""
    wanted = set(ids)
    if not wanted:
        return {}
    cache: dict[uuid.UUID, str] = db_session.info.setdefault(f"report_names_{model.__name__}", {})
    if not wanted <= cache.keys():
        column = model.name if model is Site else model.label
        cache.update({key: label for key, label in db_session.execute(select(model.id, column))})
    return {key: cache[key] for key in wanted if key in cache}


_WIDTH = 2  # dimensions of the widest read


def prefetch(*, db_session: Session, scope: Scope, reads: Iterable[Read]) -> None:
    """Every grouping a report reads, and the site and service names, in ONE statement
    (a UNION ALL, keys as text, tagged by read): one round trip instead of one per
    table, and a statement built once per shape of report and kept. `Cells.by` then
    finds its figures here; `clear_prefetched` forgets them."""
    wanted = list(dict.fromkeys(reads))
    cells = [Cells(db_session, kind, scope, list(periods) if periods is not None else None)
             for kind, _, periods in wanted]
    shape = (tuple(c.shape(read[1]) for c, read in zip(cells, wanted, strict=True)),
             scope.site is not None, scope.service is not None, db_session.get_bind().dialect.name)
    params: dict[str, Any] = {}
    parts: list[Any] = []
    for tag, (found_cells, (_, dimensions, _)) in enumerate(zip(cells, wanted, strict=True)):
        params.update(found_cells.params(tag))
        if shape not in _UNIONS:
            statement = found_cells.grouped(dimensions, as_text=True, tag=tag)
            padding = [cast(null(), String) for _ in range(_WIDTH - len(dimensions))]
            columns = list(statement.selected_columns)
            parts.append(statement.with_only_columns(
                literal_column(str(tag)), *columns[:len(dimensions)], *padding,
                *columns[len(dimensions):], maintain_column_froms=True))
    if shape not in _UNIONS:
        for tag, model in ((-1, Site), (-2, Service)):
            label = Site.name if model is Site else Service.label
            parts.append(select(literal_column(str(tag)), cast(model.id, String),
                                cast(label, String), *(cast(null(), t) for t in _NUMBERS)))
        if len(_UNIONS) > 256:  # shapes are few (reports × grains × filters); bound anyway
            _UNIONS.clear()
        _UNIONS[shape] = union_all(*parts)
    rows: dict[int, list[Any]] = {}
    for row in db_session.execute(_UNIONS[shape], params):
        rows.setdefault(row[0], []).append(row)
    found: dict[tuple[Scope, Read], dict[Any, Agg]] = db_session.info.setdefault(_PREFETCHED, {})
    for tag, read in enumerate(wanted):
        dimensions = read[1]
        typed_rows = [
            (*(_typed_key(d, row[1 + i]) for i, d in enumerate(dimensions)),
             *row[1 + _WIDTH:])
            for row in rows.get(tag, [])
        ]
        found[(scope, read)] = Cells._collect(dimensions, typed_rows)
    for tag, model in ((-1, Site), (-2, Service)):
        db_session.info[f"report_names_{model.__name__}"] = {
            _uuid(row[1]): row[2] for row in rows.get(tag, [])}


_UNIONS: dict[tuple[Any, ...], Any] = {}


@lru_cache(maxsize=4096)
def _uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)  # the same few site and service ids, report after report


@lru_cache(maxsize=4096)
def _day(text: str) -> date:
    return date.fromisoformat(text)


def _typed_key(dimension: str, text: str) -> Any:
    if dimension in ("site_id", "service_id"):
        return _uuid(text)
    return _day(text) if dimension == "period" else text


_NUMBERS = (BigInteger(), BigInteger(), Float(), Float(), BigInteger(), BigInteger(),
            BigInteger(), BigInteger())


def clear_prefetched(db_session: Session) -> None:
    db_session.info.pop(_PREFETCHED, None)
