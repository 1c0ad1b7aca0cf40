"""Call figures for supervisors: offered, answered, abandoned and time to answer, per queue
and per local hour. Counts of calls, never people: nothing here names a resident."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.models import Agent
from crm_core.exceptions import InvalidInput
from crm_core.telephony.enums import CallDirection, CallStatus
from crm_core.telephony.models import Call

MAX_DAYS = 93
NO_QUEUE = "(sans file)"
ALL_QUEUES = "(toutes)"


@dataclass
class _Bucket:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    in_progress: int = 0
    waits: list[float] = field(default_factory=list)

    def add(self, call: Any) -> None:
        self.offered += 1
        if call.answered_at is not None:
            self.answered += 1
            if call.new_call_seen:  # without the ring's time, the wait is unknown
                self.waits.append(max(0.0, (call.answered_at - call.started_at).total_seconds()))
        elif call.status is CallStatus.ABANDONED:
            self.abandoned += 1
        else:
            self.in_progress += 1

    def row(self, queue: str, day: str, hour: int) -> dict[str, Any]:
        finished = self.answered + self.abandoned
        return {
            "queue": queue, "day": day, "hour": hour, "offered": self.offered,
            "answered": self.answered, "abandoned": self.abandoned,
            "in_progress": self.in_progress,
            "answered_share": round(self.answered / finished, 4) if finished else None,
            "mean_time_to_answer_s": round(sum(self.waits) / len(self.waits), 1)
            if self.waits else None,
            "max_time_to_answer_s": round(max(self.waits), 1) if self.waits else None,
        }


def call_figures(
    *, db_session: Session, start: date, end: date, queue: str | None = None,
    site_id: uuid.UUID | None = None, timezone: str,
) -> dict[str, Any]:
    """Inbound calls whose ring fell between `start` and `end` (local days, inclusive);
    with `site_id`, those its agents took or that rang at their extensions. Raw counts:
    what the API publishes goes through `figures_privacy.suppress` first."""
    if end < start:
        raise InvalidInput("La fin de la période précède son début", field="end")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"Période trop longue (au plus {MAX_DAYS} jours)", field="end")
    zone = ZoneInfo(timezone)
    lower = datetime.combine(start, time.min, zone)
    upper = datetime.combine(end + timedelta(days=1), time.min, zone)
    statement = select(
        Call.queue, Call.status, Call.started_at, Call.answered_at, Call.new_call_seen,
        Call.agent_id, Call.extensions, Call.answered_extension,
    ).where(
        Call.direction == CallDirection.INBOUND, Call.started_at >= lower,
        Call.started_at < upper,
    )
    if queue is not None:
        statement = statement.where(Call.queue == queue)
    keep = _site_filter(db_session, site_id)
    buckets: dict[tuple[str, str, int], _Bucket] = defaultdict(_Bucket)
    totals: dict[str, _Bucket] = defaultdict(_Bucket)
    for call in db_session.execute(statement):
        if not keep(call):
            continue
        local = call.started_at.astimezone(zone)
        name = call.queue or NO_QUEUE
        buckets[(name, local.date().isoformat(), local.hour)].add(call)
        totals[name].add(call)
        totals[ALL_QUEUES].add(call)
    return {
        "start": start.isoformat(), "end": end.isoformat(), "timezone": str(zone),
        "rows": [bucket.row(*key) for key, bucket in sorted(buckets.items())],
        "totals": [
            bucket.row(name, "", -1) for name, bucket in sorted(totals.items())
            if name != ALL_QUEUES or len(totals) > 2
        ] if totals else [],
    }


def _site_filter(db_session: Session, site_id: uuid.UUID | None) -> Callable[[Any], bool]:
    """Calls carry no site: a call is the site's if one of its agents took it or it rang
    at one of their extensions."""
    if site_id is None:
        return lambda call: True
    rows = db_session.execute(
        select(Agent.id, Agent.phone_extension).where(Agent.site_id == site_id)).all()
    agent_ids = {row.id for row in rows}
    extensions = {row.phone_extension for row in rows if row.phone_extension}

    def keep(call: Any) -> bool:
        return call.agent_id in agent_ids or call.answered_extension in extensions or any(
            extension in extensions for extension in call.extensions or ())

    return keep
