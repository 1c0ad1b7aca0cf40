"""Rebuilding the roll-ups from the tables, in set-based SQL: after a bulk load, or to
repair them. The incremental path (`rollup.fold_pending`) counts the same facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from typing import cast as typed

from sqlalchemy import (
    String,
    Table,
    Uuid,
    and_,
    cast,
    delete,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy import insert as insert_into
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from crm_core.config import city_today
from crm_core.database.local_days import local_day_sql
from crm_core.reports.facts import KINDS, fact_select
from crm_core.reports.models import ALL_ID, ReportCell, ReportDelta, ReportPresence
from crm_core.reports.periods import GRAINS
from crm_core.reports.rollup import (
    _FACT_COUNTERS,
    KEY_COLUMNS,
    SATURATION,
    _dialect,
    open_since,
)


@dataclass
class RebuildResult:
    cells: int
    presences: int


def rebuild(*, db_session: Session, timezone: str, today: date | None = None) -> RebuildResult:
    """Recompute every roll-up from the tables in set-based SQL (after a bulk load, or to
    repair): distinct residents by COUNT(DISTINCT), presence sets for open periods only.
    The facts of each kind are read once into a temporary table, then grouped for each
    grain and each site/service variant. Meant for a quiet moment: the journal is
    emptied, its facts being counted here. Days are the city's (`timezone`), `today` too
    unless given."""
    today = today or city_today(timezone)
    dialect = _dialect(db_session)
    for model in (ReportDelta, ReportCell, ReportPresence):
        db_session.execute(delete(model))
    if dialect == "postgresql":  # big sorts for COUNT(DISTINCT): in memory where possible
        db_session.execute(text("SET LOCAL work_mem = '256MB'"))
    for kind in KINDS:
        facts = fact_select(kind, dialect, timezone).subquery("facts")
        dated = select(facts, *(
            _period(grain, facts.c.at, dialect, timezone).label(f"period_{grain}")
            for grain in GRAINS
        )).into(_FACTS_TABLE, temporary=True)
        db_session.execute(dated)
        table = dated.table
        for grain in GRAINS:
            c = table.c
            period = c[f"period_{grain}"]
            since = open_since(grain, today)  # on the local period, as the fold decides
            for site, service in _variants(c.site_id, c.service_id):
                keys = [period, c.channel, c.detail]
                keys += [column for column in (site, service) if column is not None]
                where_site = site if site is not None else cast(literal(ALL_ID), Uuid())
                where_service = service if service is not None else cast(literal(ALL_ID), Uuid())
                grouped = select(
                    literal(kind), literal(grain), period, where_site, where_service,
                    cast(c.channel, String), cast(c.detail, String), func.count(),
                    func.count(c.who.distinct()), *(func.coalesce(func.sum(c[name]), 0)
                                                    for name in _FACT_COUNTERS),
                ).group_by(*keys)
                db_session.execute(insert_into(ReportCell).from_select(
                    [*KEY_COLUMNS, "n", "residents", *_FACT_COUNTERS], grouped
                ))
                cell = typed(Table, ReportCell.__table__).c
                recent = select(
                    literal(kind), literal(grain), period, where_site, where_service,
                    cast(c.channel, String), cast(c.detail, String), c.who,
                ).join(ReportCell, and_(
                    cell.kind == kind, cell.grain == grain, cell.period == period,
                    cell.site_id == where_site, cell.service_id == where_service,
                    cell.channel == cast(c.channel, String),
                    cell.detail == cast(c.detail, String),
                )).where(period >= since, cell.residents < SATURATION).distinct()
                db_session.execute(insert_into(ReportPresence).from_select(
                    [*KEY_COLUMNS, "who"], recent
                ))
        db_session.execute(text(f"DROP TABLE {_FACTS_TABLE}"))
    db_session.flush()
    return RebuildResult(
        cells=db_session.scalar(select(func.count()).select_from(ReportCell)) or 0,
        presences=db_session.scalar(select(func.count()).select_from(ReportPresence)) or 0,
    )


_FACTS_TABLE = "report_rebuild_facts"


def _variants(site: Any, service: Any) -> list[tuple[Any, Any]]:
    """The site and service columns of each variant; None stands for "all" (`ALL_ID`)."""
    return [(site, service), (None, service), (site, None), (None, None)]


def _period(grain: str, at: Any, dialect: str, zone: str) -> Any:
    """The first local day (in `zone`) of the period of `grain` holding the moment `at`."""
    day = local_day_sql(at, dialect, zone)
    if grain == "d":
        return day
    if dialect == "postgresql":  # truncating the local wall-clock time, no zone involved
        unit = {"m": "month", "y": "year"}[grain]
        local = func.timezone(literal(zone), at)
        return cast(func.date_trunc(literal_column(f"'{unit}'"), local), postgresql.DATE)
        return day
    modifier = "start of month" if grain == "m" else "start of year"
    return func.date(day, literal_column(f"'{modifier}'"))
