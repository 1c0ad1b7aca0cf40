"""Dates and instants that can be stored, compared and shown: the bounds every input meets.

Python and the databases accept years 1 to 9999, but converting `9999-12-31T23:59-14:00`
to UTC, adding a day to it or comparing a naive value with a stored aware one raises
outside any validator — a 500. These types refuse such values up front, in French, where
they enter (request bodies, query strings, platform events).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from crm_core.config import city_today, settings_for_validators

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
EARLIEST_BIRTH = date(1880, 1, 1)
# How far ahead of our clock another system's clock may run.
CLOCK_AHEAD = timedelta(minutes=5)


_NUMBER = re.compile(r"\s*[+-]?[\d.]+([eE][+-]?\d+)?\s*")


def readable_instant(value: Any) -> Any:
    """Pydantic reads a number, or a text that looks like one ("+30"), as seconds since
    1970: then "in 30 minutes" is refused as past, `true` as too old. Unreadable is said
    as such; a sender that means Unix time converts it first (the PBX events do)."""
    if isinstance(value, bool | int | float) or (
            isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("date et heure illisibles : format ISO 8601 attendu, avec le "
                         "fuseau horaire (ex. 2026-12-07T14:30:00+01:00)")
    return value


def check_instant(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError("date et heure hors des limites (1970 à 2999)") from exc
    if not EARLIEST <= utc < LATEST:
        raise ValueError("date et heure hors des limites (1970 à 2999)")
    return value


def check_day(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValueError("date hors des limites (1970 à 2999)")
    return value


def check_birth_date(value: date | None) -> date | None:
    """Not in the city's future (`settings_for_validators`: FastAPI parses the body)."""
    if value is None:
        return value
    if not EARLIEST_BIRTH <= value <= city_today(settings_for_validators().timezone):
        raise ValueError("la date de naissance doit être passée et postérieure à 1880")
    return value


def check_not_ahead(value: datetime) -> datetime:
    """A moment another system says something happened: not ahead of our clock (beyond a
    drift). Stored as a platform's "last updated", a moment in 2999 would make every later
    update of the request look older, and ignored, for ever."""
    if value.astimezone(UTC) > datetime.now(UTC) + CLOCK_AHEAD:
        raise ValueError("date et heure dans le futur : l'horloge de l'expéditeur est à "
                         "vérifier")
    return value


# An aware instant between 1970 and 2999 (a naive or date-only value is refused).
Instant = Annotated[AwareDatetime, BeforeValidator(readable_instant),
                    AfterValidator(check_instant)]
# A calendar day between 1970 and 2999 (report periods, reminders, due dates).
Day = Annotated[date, AfterValidator(check_day)]
BirthDate = Annotated[date, AfterValidator(check_birth_date)]
# An instant another system reports as past (a platform's event time): also not ahead.
ReportedInstant = Annotated[Instant, AfterValidator(check_not_ahead)]
