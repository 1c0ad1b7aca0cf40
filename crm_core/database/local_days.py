"""The city's local day of a stored moment, in Python and in SQL, on both engines.

Moments are stored in UTC; the city lives in `Settings.timezone` (Europe/Paris by
default). PostgreSQL converts with `timezone()`; SQLite has no time-zone database, so
`relais_local_date()` is a deterministic Python function that `database.engine` registers
on every SQLite connection. The reports use both (`crm_core.reports.periods`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, literal


@lru_cache(maxsize=8)
def zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(at: datetime, zone: str) -> date:
    """The local day in `zone` (the city's) of a moment (naive moments are UTC, as stored)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(zone_named(zone)).date()


def sqlite_local_date(stored: Any, zone: str) -> str | None:
    """`relais_local_date(at, zone)` for SQLite: the local day ('YYYY-MM-DD') of a UTC
    moment as SQLite stores it ('YYYY-MM-DD HH:MM:SS[.ffffff]', naive = UTC)."""
    if stored is None:
        return None
    try:
        moment = datetime.fromisoformat(str(stored))
    except ValueError:
        return None
    return local_date(moment, zone).isoformat()


def local_day_sql(column: Any, dialect: str, zone_name: str) -> ColumnElement[Any]:
    """SQL for the local day in `zone_name` (the city's) of a stored moment (a DATE, or ISO
    text on SQLite)."""
    zone = literal(zone_name)
    if dialect == "postgresql":
        return func.date(func.timezone(zone, column))
    return func.relais_local_date(column, zone)
