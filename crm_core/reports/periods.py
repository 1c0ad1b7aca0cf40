"""Grains and periods: a report period is cut into whole years, whole months and days.

Days are the city's local days (`Settings.timezone`, Europe/Paris by default), as agents
and residents live them and as announced due dates are set (`cases.service`): an exchange
at 23:30 UTC on 31 October is on 1 November in Paris. Moments are stored in UTC; the same
conversion is done in Python (`local_date`, the incremental fold) and in SQL
(`local_day_sql`, the rebuild and the on-time test), both in `crm_core.database.local_days`
with the SQLite function they rely on.
"""

from __future__ import annotations

from datetime import date, timedelta

GRAINS = ("d", "m", "y")


def grain_start(grain: str, day: date) -> date:
    if grain == "y":
        return day.replace(month=1, day=1)
    if grain == "m":
        return day.replace(day=1)
    return day


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def latest_report_day(today: date) -> date:
    """The last day a report may reach: 31 December of next year. Calendar years, not
    "today + 366 days", which cut next year short (and shift with leap years)."""
    return date(today.year + 1, 12, 31)


def last_complete_day(end: date, today: date) -> date:
    """The last day of a period that is over: `end`, or yesterday while the period runs
    (today is not complete, and the days after it are empty by nature)."""
    return min(end, today - timedelta(days=1))


def grain_end(grain: str, start: date) -> date:
    """The last day of the period of `grain` starting at `start`."""
    if grain == "y":
        return date(start.year, 12, 31)
    if grain == "m":
        return next_month(start) - timedelta(days=1)
    return start


def decompose(start: date, end: date) -> list[tuple[str, date]]:
    """The fewest cells covering [start, end]: whole years, then whole months, then days."""
    parts: list[tuple[str, date]] = []
    day = start
    while day <= end:
        if day.month == 1 and day.day == 1 and date(day.year, 12, 31) <= end:
            parts.append(("y", day))
            day = date(day.year + 1, 1, 1)
        elif day.day == 1 and grain_end("m", day) <= end:
            parts.append(("m", day))
            day = next_month(day)
        else:
            parts.append(("d", day))
            day += timedelta(days=1)
    return parts
