"""How far back an exchange or a request may be recorded, and how far ahead of the
server's clock: a counter that was offline sends its visits late, with their own time."""

from __future__ import annotations

from datetime import datetime, timedelta

from crm_core.exceptions import InvalidInput

MAX_BACKDATING = timedelta(days=30)
MAX_CLOCK_SKEW = timedelta(minutes=5)


def check_recorded_at(value: datetime, *, now: datetime, field: str, what: str) -> datetime:
    if value > now + MAX_CLOCK_SKEW:
        raise InvalidInput(f"Date {what} dans le futur : vérifiez la date et l'heure",
                           field=field)
    if value < now - MAX_BACKDATING:
        raise InvalidInput(f"Date {what} hors limites (30 jours au plus dans le passé)",
                           field=field)
    return value


def check_ended_at(value: datetime, *, occurred_at: datetime, now: datetime) -> datetime:
    """An exchange ends after it starts and, like its start, not ahead of the clock (an end
    in 2999 would read as an exchange still going on for ever)."""
    if value < occurred_at:
        raise InvalidInput("La fin de l'échange précède son début", field="ended_at")
    if value > now + MAX_CLOCK_SKEW:
        raise InvalidInput("Fin de l'échange dans le futur : vérifiez la date et l'heure",
                           field="ended_at")
    return value
