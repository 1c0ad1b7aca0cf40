"""Telephony events in, calls out: one call per (PBX, callId), built from its events in any
order, each event recorded once; the messages for the agents' desks come back to the route,
which pushes them after the commit."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.models import Agent
from crm_core.channels import Channel
from crm_core.database.base import utcnow
from crm_core.exceptions import InvalidInput
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.telephony import numbers
from crm_core.telephony.enums import (
    CallDirection,
    CallEventKind,
    CallStatus,
    MatchKind,
    RemoteKind,
)
from crm_core.telephony.exceptions import CallNotFound
from crm_core.telephony.matching import match_for_call
from crm_core.telephony.models import Call, CallEvent
from crm_core.telephony.schemas import CallEventIn

logger = logging.getLogger("relais.telephony")

# A call still "ringing" or "answered" after this long lost its hangup somewhere.
STALE_AFTER = timedelta(hours=4)


@dataclass
class Ingested:
    call: Call
    duplicate: bool
    # (extension, message) pairs for the desks, sent once the transaction is committed.
    pushes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def ingest_event(
    *, db_session: Session, pbx: str, event: CallEventIn,
    max_age: timedelta, max_ahead: timedelta, region: str,
) -> Ingested:
    """`max_age`, `max_ahead`: how far an event's own time may be from the server's (a PBX
    clock drifts, an adapter queues events while the server is away; telephony settings);
    `region`: where a caller's national number is read (`RELAIS_DEFAULT_PHONE_REGION`)."""
    received = utcnow()
    occurred = _occurred(event.timestamp, received, max_age=max_age, max_ahead=max_ahead)
    dedupe_key = _dedupe_key(event)
    for attempt in range(2):
        try:
            with db_session.begin_nested():  # a lost race leaves the transaction usable
                return _ingest(db_session, pbx, event, occurred, received, dedupe_key, region)
        except IntegrityError:
            if attempt:
                raise
            logger.info("concurrent events for call %s/%s: retrying", pbx, event.call_id)
    raise AssertionError("unreachable")


def _ingest(
    db_session: Session, pbx: str, event: CallEventIn, occurred: datetime,
    received: datetime, dedupe_key: str, region: str,
) -> Ingested:
    call = db_session.scalar(select(Call).where(Call.pbx == pbx, Call.call_id == event.call_id))
    if call is None:
        call = _new_call(db_session, pbx, event, occurred, region)
    elif db_session.scalar(
        select(CallEvent.id).where(
            CallEvent.call_pk == call.id, CallEvent.kind == event.event,
            CallEvent.dedupe_key == dedupe_key,
        )
    ):
        return Ingested(call=call, duplicate=True)
    db_session.add(
        CallEvent(
            call_pk=call.id, kind=event.event, dedupe_key=dedupe_key, occurred_at=occurred,
            received_at=received, payload=event.model_dump(mode="json", by_alias=True),
        )
    )
    newly_ringing = _apply(db_session, call, event, occurred)
    db_session.flush()
    return Ingested(call=call, duplicate=False,
                    pushes=_pushes(db_session, call, event, newly_ringing, region))


def _occurred(reported: datetime | None, received: datetime, *, max_age: timedelta,
              max_ahead: timedelta) -> datetime:
    """When the event happened: its own time within a plausible window around ours, or
    when it arrived if it gave none. Outside the window it is refused, not bent to the
    reception time: a call of year 2999, or of last month, is a PBX to set right."""
    if reported is None:
        return received
    if reported > received + max_ahead:
        raise InvalidInput(
            f"Horodatage de l'événement dans le futur (plus de {_span(max_ahead)} d'avance "
            "sur l'horloge du serveur) : vérifiez l'heure du standard", field="timestamp")
    if reported < received - max_age:
        raise InvalidInput(
            f"Horodatage de l'événement trop ancien (plus de {_span(max_age)}) : "
            "événement refusé", field="timestamp")
    return reported


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{-(-seconds // 60)} min" if seconds >= 60 else f"{seconds} s"


def _dedupe_key(event: CallEventIn) -> str:
    return "|".join(sorted(event.named_extensions()))[:200]


def _new_call(
    db_session: Session, pbx: str, event: CallEventIn, occurred: datetime, region: str
) -> Call:
    raw = event.from_ if event.direction is CallDirection.INBOUND else event.to
    local = event.to if event.direction is CallDirection.INBOUND else event.from_
    kind, number = numbers.classify(raw, region=region)
    call = Call(
        id=uuid.uuid4(), pbx=pbx, call_id=event.call_id, direction=event.direction,
        status=CallStatus.RINGING, remote_raw=raw[:100], remote_number=number,
        remote_kind=kind, local_number=local[:100], extensions=[], started_at=occurred,
        match_kind=MatchKind.NONE,
    )
    db_session.add(call)
    db_session.flush()
    return call


def _apply(db_session: Session, call: Call, event: CallEventIn, occurred: datetime) -> list[str]:
    """Folds one event into the call. Returns the extensions that start ringing now."""
    if occurred < call.started_at:  # an earlier event arrived late
        call.started_at = occurred
    if event.queue and not call.queue:
        call.queue = event.queue
    named = event.named_extensions()
    newly = [name for name in named if name not in call.extensions]
    if newly:
        call.extensions = [*call.extensions, *newly]
    if event.event is CallEventKind.NEW_CALL:
        call.new_call_seen = True
    elif event.event is CallEventKind.ANSWER:
        if call.answered_at is None or occurred < call.answered_at:
            call.answered_at = occurred
        answering = event.answering_number or event.extension or (named[0] if named else None)
        if answering:
            call.answered_extension = answering
            agent = _agent_for(db_session, answering)
            call.agent_id = agent.id if agent else call.agent_id
    else:
        call.ended_at = max(call.ended_at or occurred, occurred)
        call.hangup_cause = event.cause or call.hangup_cause
    if call.agent_id is None and len(call.extensions) == 1:
        agent = _agent_for(db_session, call.extensions[0])
        call.agent_id = agent.id if agent else None
    call.status = _status(call)
    ringing = event.event is CallEventKind.NEW_CALL and call.ended_at is None
    return newly if ringing and call.answered_at is None else []


def _status(call: Call) -> CallStatus:
    if call.answered_at is not None:
        return CallStatus.COMPLETED if call.ended_at is not None else CallStatus.ANSWERED
    if call.ended_at is not None:
        inbound = call.direction is CallDirection.INBOUND
        return CallStatus.ABANDONED if inbound else CallStatus.NOT_ANSWERED
    return CallStatus.RINGING


def _agent_for(db_session: Session, name: str) -> Agent | None:
    """An extension, or an agent's username (Zammad's `answeringNumber` may be either)."""
    agents = list(db_session.scalars(
        select(Agent).where(
            Agent.active.is_(True),
            or_(Agent.phone_extension == name, Agent.username == name),
        ).limit(2)
    ))
    if len(agents) != 1:
        if not agents:
            logger.info("telephony event for unknown extension %r", name[:40])
        return None
    return agents[0]


def _pushes(
    db_session: Session, call: Call, event: CallEventIn, newly_ringing: list[str], region: str
) -> list[tuple[str, dict[str, Any]]]:
    if event.event is CallEventKind.NEW_CALL:
        if not newly_ringing:
            return []
        match = match_for_call(db_session=db_session, call=call, region=region)
        call.match_kind = match["kind"]
        if match["kind"] is MatchKind.RESIDENT and call.resident_id is None:
            call.resident_id = match["resident_id"]
        message = {"type": "ring", "call": call_out(call), "match": match}
        return [(extension, message) for extension in newly_ringing]
    message = {"type": "update", "call": call_out(call)}
    return [(extension, message) for extension in call.extensions]


def disclosed_residents(match: dict[str, Any]) -> list[uuid.UUID]:
    """Whose names a match puts on a desk: the caller, or every candidate. The match may
    have come through the broadcast as JSON (plain strings)."""
    kind = MatchKind(match.get("kind", MatchKind.NONE))
    if kind is MatchKind.RESIDENT:
        return [uuid.UUID(str(match["resident_id"]))]
    if kind is MatchKind.CANDIDATES:
        return [uuid.UUID(str(c["resident_id"])) for c in match.get("candidates", [])]
    return []


def log_disclosure(
    *, db_session: Session, actor: Actor, match: dict[str, Any], reason: str
) -> None:
    """Showing a name on a desk is a lookup of that resident's file: logged, for the
    caller and for every candidate of a shared number alike, as read by the agent whose
    desk shows it, when it shows it (`desk`): nobody reads a ring no desk receives."""
    for resident_id in disclosed_residents(match):
        record_access(
            db_session=db_session, actor=actor, resident_id=resident_id,
            operation=AccessOperation.LOOKUP, channel=Channel.PHONE, reason=reason,
        )


def call_out(call: Call) -> dict[str, Any]:
    return {
        "id": str(call.id), "pbx": call.pbx, "call_id": call.call_id,
        "direction": call.direction.value, "status": call.status.value,
        "remote_raw": call.remote_raw, "remote_number": call.remote_number,
        "remote_display": numbers.display(call.remote_kind, call.remote_number, call.remote_raw),
        "remote_kind": call.remote_kind.value, "queue": call.queue,
        "extensions": list(call.extensions), "answered_extension": call.answered_extension,
        "agent_id": str(call.agent_id) if call.agent_id else None,
        "resident_id": str(call.resident_id) if call.resident_id else None,
        "started_at": call.started_at.isoformat(),
        "answered_at": call.answered_at.isoformat() if call.answered_at else None,
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
        "hangup_cause": call.hangup_cause,
        "interaction_id": str(call.interaction_id) if call.interaction_id else None,
    }


def get_call(*, db_session: Session, call_pk: uuid.UUID) -> Call:
    call = db_session.get(Call, call_pk)
    if call is None:
        raise CallNotFound(f"Aucun appel n'a l'identifiant {call_pk}")
    return call


def active_calls_for(
    *, db_session: Session, extension: str, region: str, actor: Actor | None = None
) -> list[dict[str, Any]]:
    """What a desk that (re)connects must show: its calls still ringing or in progress.
    The names it shows are logged as read by `actor`; `region` reads callers' numbers."""
    since = utcnow() - STALE_AFTER
    calls = db_session.scalars(
        select(Call).where(
            Call.started_at >= since, Call.ended_at.is_(None),
            Call.status.in_((CallStatus.RINGING, CallStatus.ANSWERED)),
        ).order_by(Call.started_at)
    )
    result = []
    for call in calls:
        if extension not in call.extensions and call.answered_extension != extension:
            continue
        if call.answered_extension not in (None, extension):
            continue  # a colleague took it
        match = match_for_call(db_session=db_session, call=call, region=region)
        if actor is not None:
            log_disclosure(db_session=db_session, actor=actor, match=match,
                           reason=f"desk_snapshot:{extension}")
        result.append({"call": call_out(call), "match": match})
    return result


def calls_between(
    *, db_session: Session, start: datetime, end: datetime, extension: str | None = None,
    agent_id: uuid.UUID | None = None,
) -> list[Call]:
    statement = select(Call).where(Call.started_at >= start, Call.started_at < end)
    calls = list(db_session.scalars(statement.order_by(Call.started_at.desc())))
    if extension is None and agent_id is None:
        return calls
    return [
        call for call in calls
        if (agent_id is not None and call.agent_id == agent_id)
        or (extension is not None
            and (extension in call.extensions or call.answered_extension == extension))
    ]


__all__ = ["Ingested", "RemoteKind", "active_calls_for", "call_out", "get_call",
           "ingest_event"]
