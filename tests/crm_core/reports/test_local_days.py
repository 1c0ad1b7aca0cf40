"""Periods are the city's local days (Europe/Paris here), on both engines and both paths.

Hand-computed local days (Paris is UTC+2 in summer time, UTC+1 otherwise; in 2026 summer
time starts on Sunday 29 March at 01:00 UTC and ends on Sunday 25 October at 01:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import ModuleType

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.channels import Channel
from crm_core.database.local_days import local_date, sqlite_local_date
from crm_core.reports import rebuild as rebuilding
from crm_core.reports import rollup
from crm_core.reports.models import ALL_ID, ReportCell
from crm_core.reports.query import Scope
from crm_core.reports.service import build_report
from tests.crm_core.reports.dataset import make_world
from tests.support.clock import city_zone

TODAY = date(2026, 11, 1)


def _utc(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# (moment in UTC, its day in Paris)
MOMENTS = [
    (_utc(3, 28, 22, 59), date(2026, 3, 28)),  # 23:59 winter time
    (_utc(3, 28, 23, 30), date(2026, 3, 29)),  # 00:30 winter time, the night of the change
    (_utc(3, 29, 0, 59), date(2026, 3, 29)),  # 01:59 winter time, just before the jump
    (_utc(3, 29, 1, 0), date(2026, 3, 29)),  # 03:00 summer time
    (_utc(3, 29, 21, 59), date(2026, 3, 29)),  # 23:59 summer time
    (_utc(3, 29, 22, 0), date(2026, 3, 30)),  # 00:00 summer time, the next day
    (_utc(10, 24, 21, 30), date(2026, 10, 24)),  # 23:30 summer time
    (_utc(10, 24, 22, 30), date(2026, 10, 25)),  # 00:30 summer time
    (_utc(10, 25, 0, 30), date(2026, 10, 25)),  # 02:30 summer time (first time)
    (_utc(10, 25, 1, 30), date(2026, 10, 25)),  # 02:30 winter time (second time)
    (_utc(10, 25, 22, 59), date(2026, 10, 25)),  # 23:59 winter time
    (_utc(10, 31, 22, 30), date(2026, 10, 31)),  # 23:30 winter time
    (_utc(10, 31, 23, 30), date(2026, 11, 1)),  # 00:30 on 1 November: November's
    (_utc(12, 31, 23, 0), date(2027, 1, 1)),  # midnight on New Year: next year's
]


@pytest.mark.parametrize(("moment", "day"), MOMENTS)
def test_local_date_in_python_and_for_sqlite(moment: datetime, day: date) -> None:
    assert local_date(moment, "Europe/Paris") == day
    stored = moment.replace(tzinfo=None).isoformat(sep=" ")  # as SQLite keeps it
    assert sqlite_local_date(stored, "Europe/Paris") == day.isoformat()
    assert sqlite_local_date(None, "Europe/Paris") is None


def _day_cells(db_session: Session) -> dict[date, int]:
    return {cell.period: cell.n for cell in db_session.scalars(select(ReportCell).where(
        ReportCell.kind == "contact", ReportCell.grain == "d", ReportCell.site_id == ALL_ID,
        ReportCell.service_id == ALL_ID))}


def _cells(db_session: Session) -> set[tuple[object, ...]]:
    """Every cell; residents only where the fold counts them (periods open on TODAY: a
    write into a closed period counts nobody, by design — see `rollup`)."""
    return {
        (c.kind, c.grain, c.period, c.site_id, c.service_id, c.channel, c.detail, c.n,
         min(c.residents, rollup.SATURATION)  # "5 or more" beyond 5, as in test_rollup
         if c.period >= rollup.open_since(c.grain, TODAY) else None,
         round(c.sum1, 3), c.ok, c.due, c.flag1, c.flag2)
        for c in db_session.scalars(select(ReportCell))
    }


def test_fold_and_rebuild_cut_local_days_around_midnight_and_dst(
    db_session: Session, factories: ModuleType
) -> None:
    world = make_world(db_session, factories)
    for who, (moment, _) in enumerate(MOMENTS):
        world.contact(who, Channel.PHONE, moment)
    rollup.fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    expected: dict[date, int] = {}
    for _, day in MOMENTS:
        expected[day] = expected.get(day, 0) + 1
    assert _day_cells(db_session) == expected
    folded = _cells(db_session)
    rebuilding.rebuild(timezone=city_zone(), db_session=db_session, today=TODAY)
    assert _cells(db_session) == folded
    months = {(c.grain, c.period): c.n for c in db_session.scalars(select(ReportCell).where(
        ReportCell.kind == "contact", ReportCell.grain != "d", ReportCell.site_id == ALL_ID,
        ReportCell.service_id == ALL_ID))}
    assert months == {
        ("m", date(2026, 3, 1)): 6, ("m", date(2026, 10, 1)): 6,
        ("m", date(2026, 11, 1)): 1, ("m", date(2027, 1, 1)): 1,
        ("y", date(2026, 1, 1)): 13, ("y", date(2027, 1, 1)): 1,
    }


def test_october_report_counts_a_late_night_exchange_in_november(
    db_session: Session, factories: ModuleType
) -> None:
    world = make_world(db_session, factories)
    world.contact(0, Channel.PHONE, _utc(10, 31, 22, 30))  # 23:30 on 31 October
    world.contact(1, Channel.PHONE, _utc(10, 31, 23, 30))  # 00:30 on 1 November

    def phone(start: date, end: date) -> object:
        report = build_report(db_session=db_session, name="channels",
                              scope=Scope(timezone=city_zone(), start=start, end=end))
        row = next(row for row in report.tables[0].rows if row.label == "Téléphone")
        return row.cells[0].value

    assert phone(date(2026, 10, 1), date(2026, 10, 31)) == 1
    assert phone(date(2026, 11, 1), date(2026, 11, 30)) == 1
    assert phone(date(2026, 10, 31), date(2026, 10, 31)) == 1


def test_on_time_compares_the_local_day_with_the_due_date(
    db_session: Session, factories: ModuleType
) -> None:
    """Due on 31 October (local): resolved at 23:30 local is on time, at 00:30 is not."""
    world = make_world(db_session, factories)
    on_time = world.case(0, Channel.WEB, _utc(10, 21, 10))
    late = world.case(1, Channel.WEB, _utc(10, 21, 10))
    for case in (on_time, late):
        case.due_date = date(2026, 10, 31)
    db_session.flush()
    world.resolve(on_time, Channel.WEB, _utc(10, 31, 22, 30))
    world.resolve(late, Channel.WEB, _utc(10, 31, 23, 30))
    rollup.fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    resolved = {c.period: (c.n, c.due, c.ok) for c in db_session.scalars(select(ReportCell).where(
        ReportCell.kind == "resolution", ReportCell.grain == "d", ReportCell.site_id == ALL_ID,
        ReportCell.service_id == ALL_ID))}
    assert resolved == {date(2026, 10, 31): (1, 1, 1), date(2026, 11, 1): (1, 1, 0)}
    folded = _cells(db_session)
    rebuilding.rebuild(timezone=city_zone(), db_session=db_session, today=TODAY)
    assert _cells(db_session) == folded
