"""How far ahead a report may reach: to the end of next year, in calendar years."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from crm_core.exceptions import InvalidInput
from crm_core.reports.periods import last_complete_day, latest_report_day
from crm_core.reports.service import parse_month, resolve_scope
from tests.support import clock
from tests.support.clock import city_zone


@pytest.mark.parametrize(("today", "latest"), [
    (date(2026, 1, 1), date(2027, 12, 31)),
    (date(2026, 12, 31), date(2027, 12, 31)),  # the last day of a year: next year whole
    (date(2027, 2, 28), date(2028, 12, 31)),  # next year is a leap year
    (date(2028, 2, 29), date(2029, 12, 31)),  # a leap day has no twin next year
])
def test_the_latest_day_is_the_end_of_next_year(today: date, latest: date) -> None:
    assert latest_report_day(today) == latest


@pytest.mark.parametrize(("end", "today", "last"), [
    (date(2026, 10, 31), date(2026, 11, 1), date(2026, 10, 31)),  # a past month: its end
    (date(2026, 10, 31), date(2026, 10, 22), date(2026, 10, 21)),  # running: yesterday
    (date(2026, 12, 31), date(2027, 1, 1), date(2026, 12, 31)),
    (date(2028, 2, 29), date(2028, 3, 1), date(2028, 2, 29)),
])
def test_the_last_complete_day_is_never_today_or_later(end: date, today: date,
                                                       last: date) -> None:
    assert last_complete_day(end, today) == last


@pytest.mark.parametrize("moment", [
    datetime(2026, 12, 31, 23, 30, tzinfo=clock.PARIS),  # New Year's Eve, late
    datetime(2028, 2, 29, 10, 0, tzinfo=clock.PARIS),  # a leap day
])
def test_next_year_is_reportable_and_the_year_after_is_not(
    db_session: Session, moment: datetime
) -> None:
    next_year = moment.year + 1
    with clock.starting_at(moment):
        scope = resolve_scope(timezone=city_zone(), db_session=db_session, actor=None,
                              start=date(next_year, 12, 1), end=date(next_year, 12, 31))
        assert scope.end == date(next_year, 12, 31)
        with pytest.raises(InvalidInput, match=f"31/12/{next_year}"):
            resolve_scope(timezone=city_zone(), db_session=db_session, actor=None,
                          start=date(next_year + 1, 1, 1), end=date(next_year + 1, 1, 1))


def test_ten_years_at_most_counted_in_calendar_years(db_session: Session) -> None:
    with clock.starting_at(datetime(2026, 12, 7, 10, 0, tzinfo=clock.PARIS)):
        scope = resolve_scope(db_session=db_session, actor=None, start=date(2016, 1, 1),
                              timezone=city_zone(), end=date(2025, 12, 31))  # ten years, to the day
        assert scope.end == date(2025, 12, 31)
        for end in (date(2026, 1, 1), date(2026, 1, 2)):
            with pytest.raises(InvalidInput, match="dix ans au plus"):
                resolve_scope(db_session=db_session, actor=None, start=date(2016, 1, 1),
                              timezone=city_zone(), end=end)


@pytest.mark.parametrize("month", ["9999-12", "9999-01", "0001-01", "2029-01"])
def test_a_month_out_of_bounds_is_refused_in_french(db_session: Session, month: str) -> None:
    def scope_of_month() -> None:
        start, end = parse_month(month)
        resolve_scope(timezone=city_zone(), db_session=db_session, actor=None, start=start, end=end)

    with clock.starting_at(datetime(2026, 12, 7, 10, 0, tzinfo=clock.PARIS)), \
            pytest.raises(InvalidInput, match="Période hors limites"):
        scope_of_month()
