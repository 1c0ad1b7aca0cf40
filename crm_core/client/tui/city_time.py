"""The city's time zone, as the server says it (`/auth/me` `timezone`), for "today" and for
every time the apps show.

Each app holds one `CityTime` and hands it to its screens and widgets at construction; it
learns the zone when the agent signs in (or a stored session is resumed). Before that it is
Paris: only the sign-in screen is shown then, and it shows no date from the server.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Before sign-in only: no date from the server is on screen until the zone is known.
DEFAULT_ZONE = "Europe/Paris"


class CityTime:
    def __init__(self, zone: str = DEFAULT_ZONE) -> None:
        self.zone = ZoneInfo(zone)

    def learn(self, zone: object) -> None:
        """The zone the server named; a name this machine does not know keeps the one held
        (the server validated it, so only an outdated tz database here can miss it)."""
        if not isinstance(zone, str) or not zone:
            return
        try:
            self.zone = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            return

    def now(self) -> datetime:
        return datetime.now(self.zone)

    def today(self) -> date:
        return self.now().date()
