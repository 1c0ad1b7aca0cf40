"""Grains and periods: a report period is cut into whole years, whole months and days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

GRAINS = ("d", "m", "y")


def grain_start(grain: str, day: date) -> date:
    if grain == "y":
        return day.replace(month=1, day=1)
    if grain == "m":
        return day.replace(day=1)
    return day


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def grain_end(grain: str, start: date) -> date:
    """The last day of the period of `grain` starting at `start`."""
    if grain == "y":
        return date(start.year, 12, 31)
    if grain == "m":
        return next_month(start) - timedelta(days=1)
    return start


def utc_date(at: datetime) -> date:
    """The UTC day of a moment (naive moments are UTC already)."""
    return at.date() if at.tzinfo is None else at.astimezone(UTC).date()


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
