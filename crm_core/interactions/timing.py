"""How far back an exchange or a request may be recorded, and how far ahead of the
server's clock: a counter that was offline sends its visits late, with their own time."""

from __future__ import annotations

from datetime import datetime, timedelta

from crm_core.exceptions import InvalidInput

MAX_BACKDATING = timedelta(days=30)
MAX_CLOCK_SKEW = timedelta(minutes=5)


def check_recorded_at(value: datetime, *, now: datetime, field: str, what: str) -> datetime:
    if value > now + MAX_CLOCK_SKEW or value < now - MAX_BACKDATING:
        raise InvalidInput(f"Date {what} hors limites (30 jours au plus dans le passé)",
                           field=field)
    return value
