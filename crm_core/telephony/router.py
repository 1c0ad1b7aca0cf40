"""Telephony API: signed PBX events in, desk WebSocket out, call logs, call-backs, figures."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Depends, Query, Request, WebSocket, status
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Permission
from crm_core.agents.models import Agent
from crm_core.api.deps import (
    AppSettings,
    CallFinder,
    DbSession,
    InteractionWriter,
    admit_find,
    misses_counted,
    require,
)
from crm_core.api.unit_of_work import on_commit
from crm_core.exceptions import InvalidInput
from crm_core.telephony import access, callbacks, calllog, desk, figures_privacy, service
from crm_core.telephony.broadcast import DeskBroadcast
from crm_core.telephony.exceptions import SignatureRefused
from crm_core.telephony.figures import call_figures
from crm_core.telephony.hub import DeskHub
from crm_core.telephony.schemas import (
    CallbackDoneIn,
    CallbackIn,
    CallbackOut,
    CallEventIn,
    CallLogIn,
    CallLogOut,
    CallOut,
    EventAccepted,
    FiguresOut,
)
from crm_core.telephony.signing import SignatureError, verify
from crm_core.validation_messages import french_errors

router = APIRouter(prefix="/telephony", tags=["telephony"])
ReportReader = Annotated[Actor, Depends(require(Permission.REPORT_READ))]
# A local day the database can hold on every engine (year 1 overflows time zone arithmetic).
Day = Annotated[date, Query(ge=date(1900, 1, 1), le=date(2999, 12, 31))]


def hub_of(app: Any) -> DeskHub:
    hub: DeskHub = app.state.desk_hub
    return hub


def broadcast_of(app: Any) -> DeskBroadcast:
    broadcast: DeskBroadcast = app.state.desk_broadcast
    return broadcast


def _parse_event(body: bytes, content_type: str) -> CallEventIn:
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
            data: Any = {k.removesuffix("[]"): v if k in ("user", "user[]") else v[-1]
                         for k, v in form.items()}
        else:
            data = orjson.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("Corps illisible : JSON ou formulaire attendu", field="body") from exc
    if not isinstance(data, dict):
        raise InvalidInput("Un objet JSON est attendu", field="body")
    try:
        return CallEventIn.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(sorted({".".join(map(str, e["loc"])) or "?" for e in exc.errors()}))
        raise InvalidInput(
            f"Événement téléphonique invalide ({fields})", field=fields,
            errors=french_errors(exc.errors(), skip=()),
        ) from exc


@router.post("/events", response_model=EventAccepted, status_code=status.HTTP_202_ACCEPTED)
async def receive_event(
    request: Request, settings: AppSettings, db_session: DbSession
) -> dict[str, Any]:
    """A call event from a PBX (Zammad generic CTI fields), signed with the PBX's secret."""
    body, config = await request.body(), settings.telephony
    try:
        pbx = verify(
            headers=request.headers, body=body, secrets=config.secrets(),
            tolerance_seconds=config.timestamp_tolerance_seconds,
        )
    except SignatureError as exc:
        raise SignatureRefused(str(exc)) from exc
    event = _parse_event(body, request.headers.get("content-type", ""))

    broadcast = broadcast_of(request.app)

    def ingest() -> dict[str, Any]:
        result = service.ingest_event(
            db_session=db_session, pbx=pbx, event=event,
            max_age=timedelta(seconds=config.event_max_age_seconds),
            max_ahead=timedelta(seconds=config.event_max_ahead_seconds),
            region=settings.default_phone_region,
        )
        broadcast.stage(db_session, result.pushes)
        # The desks ring once the call is committed (a desk reading it back finds it).
        on_commit(db_session, lambda: broadcast.committed(result.pushes))
        return {"call": result.call.id, "status": result.call.status,
                "duplicate": result.duplicate}

    return await run_in_threadpool(ingest)


@router.websocket("/desk")
async def desk_socket(websocket: WebSocket) -> None:
    """The desk of one extension: `ring` and `update` messages as calls come and go, and a
    `snapshot` of the calls in progress first (a desk reconnecting mid-call catches up)."""
    await desk.serve_desk(websocket, hub_of(websocket.app))


@router.get("/calls", response_model=list[CallOut])
def list_calls(
    db_session: DbSession, actor: InteractionWriter, settings: AppSettings,
    day: Day | None = None, extension: Annotated[str | None, Query(max_length=100)] = None,
) -> list[dict[str, Any]]:
    """The calls of one local day (today by default) taken by this agent or ringing at
    `extension`."""
    zone = ZoneInfo(settings.timezone)
    day = day or datetime.now(zone).date()
    start = datetime.combine(day, time.min, zone)
    followed = (desk.followable_extension(db_session, actor, extension) if extension
                else desk.extension_of(db_session, actor))
    calls = service.calls_between(
        db_session=db_session, start=start, end=start + timedelta(days=1),
        extension=followed, agent_id=actor.agent_id,
    )
    return [service.call_out(call) for call in calls]


@router.get("/calls/{call}", response_model=CallOut)
def read_call(
    db_session: DbSession, actor: CallFinder, settings: AppSettings, call: uuid.UUID
) -> Any:
    """A call this agent took or that rang at their extension (supervisors: any)."""
    with misses_counted(db_session, actor, "call", settings.security):
        record = access.open_call(db_session=db_session, actor=actor, call_pk=call)
    out = service.call_out(record)
    return out


@router.post("/calls/{call}/log", response_model=CallLogOut, status_code=status.HTTP_201_CREATED)
def log_call(
    db_session: DbSession, actor: CallFinder, settings: AppSettings, call: uuid.UUID,
    data: CallLogIn,
) -> dict[str, Any]:
    """Record the call on the resident's timeline (reason, outcome, case) with the PBX's
    start and end times."""
    with misses_counted(db_session, actor, "call", settings.security):
        record = access.open_call(db_session=db_session, actor=actor, call_pk=call)
        interaction, reference = calllog.log_call(
            db_session=db_session, actor=actor, call=record, data=data,
            timezone=settings.timezone,
        )
    return {"call": service.call_out(record), "interaction_id": interaction.id,
            "case_reference": reference}


@router.post("/callbacks", response_model=CallbackOut, status_code=status.HTTP_201_CREATED)
def create_callback(
    db_session: DbSession, actor: InteractionWriter, data: CallbackIn, settings: AppSettings
) -> dict[str, Any]:
    """A call-back, from a call this agent may open (`call`), for a resident who may be
    called or who asks for it (`requested_by_resident`)."""
    region = settings.default_phone_region
    if data.call is None:
        callback = callbacks.create(db_session=db_session, actor=actor, data=data, region=region)
    else:  # a call named by its id is found as a lookup finds it
        admit_find(db_session, actor, settings.security)
        with misses_counted(db_session, actor, "call", settings.security):
            callback = callbacks.create(
                db_session=db_session, actor=actor, data=data, region=region)
    return callbacks.callback_out(callback)


@router.get("/callbacks", response_model=list[CallbackOut])
def list_callbacks(
    db_session: DbSession, actor: InteractionWriter, due: bool = False
) -> list[dict[str, Any]]:
    """Pending call-backs of this agent and unassigned ones; `due=true`: only those due."""
    pending = callbacks.list_pending(db_session=db_session, actor=actor, due_only=due)
    return [callbacks.callback_out(callback) for callback in pending]


@router.post("/callbacks/{callback_id}/done", response_model=CallbackOut)
def complete_callback(
    db_session: DbSession, actor: CallFinder, settings: AppSettings, callback_id: uuid.UUID,
    data: CallbackDoneIn | None = None,
) -> dict[str, Any]:
    """A call-back assigned to this agent or to nobody (supervisors: any)."""
    with misses_counted(db_session, actor, "callback", settings.security):
        access.open_callback(db_session=db_session, actor=actor, callback_id=callback_id)
    callback = callbacks.complete(
        db_session=db_session, actor=actor, callback_id=callback_id,
        data=data or CallbackDoneIn(),
    )
    return callbacks.callback_out(callback)


@router.get("/figures", response_model=FiguresOut)
def figures(
    db_session: DbSession, actor: ReportReader, settings: AppSettings, start: Day, end: Day,
    queue: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Supervisors: calls offered, answered, abandoned and time to answer per queue and
    local hour, for inbound calls between two local days (inclusive), of their own site
    (a supervisor without a site: every site); small counts are suppressed."""
    agent = db_session.get(Agent, actor.agent_id) if actor.agent_id else None
    raw = call_figures(db_session=db_session, start=start, end=end, queue=queue,
                       site_id=agent.site_id if agent else None, timezone=settings.timezone)
    return figures_privacy.suppress(raw)

