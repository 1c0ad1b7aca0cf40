"""Who works where, and when things happen: desks, agents and office hours of the demo."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from crm_core.agents.enums import Role
from crm_core.channels import Channel
from crm_core.demo.catalogue import DEMO_AGENTS, OTHER_AGENTS

CITY_TIMEZONE = ZoneInfo("Europe/Paris")  # Rennes, whatever the server's settings say


class Desk(StrEnum):
    """Who handles an exchange: the online services, a counter, Allô mairie, the back-office."""

    ONLINE = "online"
    COUNTER = "counter"
    CALL_CENTRE = "call_centre"  # phone and chat
    BACK_OFFICE = "back_office"  # e-mail, post, and the processing of cases


CHANNEL_DESK = {
    Channel.WEB: Desk.ONLINE,
    Channel.COUNTER: Desk.COUNTER,
    Channel.PHONE: Desk.CALL_CENTRE,
    Channel.CHAT: Desk.CALL_CENTRE,
    Channel.EMAIL: Desk.BACK_OFFICE,
    Channel.MAIL: Desk.BACK_OFFICE,
}


def _desk_agents() -> dict[Desk, tuple[str, ...]]:
    agents = DEMO_AGENTS + OTHER_AGENTS
    return {
        Desk.ONLINE: (),
        Desk.COUNTER: tuple(
            a.username for a in agents
            if a.role is Role.COUNTER and a.site_code not in (None, "back-office")
        ),
        Desk.CALL_CENTRE: tuple(a.username for a in agents if a.role is Role.PHONE),
        Desk.BACK_OFFICE: tuple(a.username for a in agents if a.site_code == "back-office"),
    }


DESK_AGENTS = _desk_agents()


class Clock:
    """Plausible moments: office hours for agents, any waking hour online, never the future."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.today = now.astimezone(CITY_TIMEZONE).date()

    def on_day(self, day: date, desk: Desk) -> datetime:
        if desk is Desk.ONLINE:
            minutes = self.rng.randint(7 * 60, 23 * 60 + 30)
        else:
            while day.weekday() >= 5:  # city offices are closed at the weekend
                day -= timedelta(days=1)
            minutes = self.rng.randint(8 * 60 + 45, 17 * 60 + 30)
        local = datetime.combine(day, time(minutes // 60, minutes % 60, self.rng.randint(0, 59)))
        moment = local.replace(tzinfo=CITY_TIMEZONE).astimezone(UTC)
        if moment >= self.now - timedelta(minutes=5):
            moment = self.now - timedelta(minutes=self.rng.randint(10, 240))
        return moment

    def days_ago(self, days: float, desk: Desk) -> datetime:
        approx = self.now - timedelta(days=days)
        return self.on_day(approx.astimezone(CITY_TIMEZONE).date(), desk)

    def between(self, start: datetime, end: datetime, desk: Desk) -> datetime:
        span = max((end - start).total_seconds(), 60.0)
        approx = start + timedelta(seconds=self.rng.uniform(0.0, span))
        return self.on_day(approx.astimezone(CITY_TIMEZONE).date(), desk)

    def after(self, previous: datetime, candidate: datetime) -> datetime:
        """`candidate`, pushed after `previous` when office hours put it before."""
        if candidate <= previous:
            candidate = previous + timedelta(minutes=self.rng.randint(5, 90))
        return min(candidate, self.now - timedelta(minutes=1))

    def agent(self, desk: Desk) -> str | None:
        agents = DESK_AGENTS[desk]
        return self.rng.choice(agents) if agents else None
