"""Dates and times as French agents and residents read them (Europe/Paris)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["format_datetime_fr", "format_day_fr", "to_local"]

try:
    DISPLAY_TZ: ZoneInfo | None = ZoneInfo("Europe/Paris")
except ZoneInfoNotFoundError:  # pragma: no cover - minimal systems without tzdata
    DISPLAY_TZ = None


def to_local(moment: datetime) -> datetime:
    """French local time for an aware datetime; a naive one is taken as already local."""
    if moment.tzinfo is None or DISPLAY_TZ is None:
        return moment
    return moment.astimezone(DISPLAY_TZ)


def format_day_fr(moment: datetime) -> str:
    """``31/12/2025``."""
    return to_local(moment).strftime("%d/%m/%Y")


def format_datetime_fr(moment: datetime) -> str:
    """``31/12/2025 à 14:05``."""
    return to_local(moment).strftime("%d/%m/%Y à %H:%M")
