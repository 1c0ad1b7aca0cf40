"""The desk WebSocket: one connection per agent desk, subscribed to one extension.

Authentication: `Authorization: Bearer <token>` on the upgrade request (or `?token=` for
clients that cannot set headers). The extension is the agent's own; `?extension=` may name
another one only for a supervisor watching a seat, or for a phone agent with no extension
of their own sitting at a shared desk (an extension no agent owns). What rings on a seat
discloses callers' names, so nobody else may follow it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from crm_core.agents import live
from crm_core.agents import service as agents
from crm_core.agents.actor import Actor
from crm_core.agents.enums import Permission, Role
from crm_core.agents.extensions import normalize_extension
from crm_core.agents.models import Agent
from crm_core.exceptions import DomainError, InvalidInput, NotAuthenticated, PermissionDenied
from crm_core.telephony import service
from crm_core.telephony.hub import DeskHub

logger = logging.getLogger("relais.telephony")
POLICY_VIOLATION = 1008


def extension_of(db_session: Session, actor: Actor) -> str | None:
    if actor.agent_id is None:
        return None
    return db_session.scalar(select(Agent.phone_extension).where(Agent.id == actor.agent_id))


def followable_extension(db_session: Session, actor: Actor, asked: str | None) -> str:
    """The extension this agent may follow: their own, or `asked` if the rule allows it."""
    own = extension_of(db_session, actor)
    asked = _asked(asked)
    if not asked or asked == own:
        if not own:
            raise InvalidInput("Aucun poste téléphonique : précisez ?extension=",
                               field="extension")
        return own
    if actor.role is Role.SUPERVISOR:
        return asked
    owner = db_session.scalar(
        select(Agent.id).where(Agent.phone_extension == asked, Agent.active.is_(True)).limit(1)
    )
    if actor.role is Role.PHONE and own is None and owner is None:
        return asked  # a shared desk
    raise PermissionDenied("Ce poste n'est pas le vôtre : seul un responsable peut le suivre",
                           extension=asked)


def _asked(asked: str | None) -> str | None:
    """`?extension=` by the agents' rule: « 2 01 » or « ２０１ » is the seat 201."""
    if asked is None or not asked.strip():
        return None
    try:
        return normalize_extension(asked[:100])
    except ValueError as exc:
        raise InvalidInput(f"?extension= : {exc}", field="extension") from exc


def _token(websocket: WebSocket) -> str:
    header = websocket.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return websocket.query_params.get("token", "")


def _open(websocket: WebSocket, token: str) -> tuple[str, list[dict[str, Any]], bool]:
    """Checks the agent and returns the extension, the calls in progress there, and
    whether it is the agent's own (then it is followed only while it stays theirs)."""
    with websocket.app.state.session_factory() as db_session:
        if not token:
            raise DomainError("Authentification requise : connectez-vous")
        actor = agents.actor_for_token(
            db_session=db_session, token=token,
            idle_timeout=websocket.app.state.agent_idle_timeout,
        )
        if not actor.can(Permission.RESIDENT_READ):
            raise DomainError("Votre rôle ne permet pas de consulter les dossiers des usagers")
        extension = followable_extension(
            db_session, actor, websocket.query_params.get("extension")
        )
        snapshot = service.active_calls_for(
            db_session=db_session, extension=extension, actor=actor,
            region=websocket.app.state.settings.default_phone_region,
        )
        own = extension == extension_of(db_session, actor)
        # A WebSocket lives for hours, outside the request's unit of work: each step is
        # its own transaction.
        db_session.commit()
        return extension, snapshot, own


async def serve_desk(websocket: WebSocket, hub: DeskHub) -> None:
    token = _token(websocket)
    try:
        extension, snapshot, own = await asyncio.to_thread(_open, websocket, token)
    except DomainError as refused:
        await websocket.close(code=POLICY_VIOLATION, reason=refused.detail[:120])
        return
    await websocket.accept()
    with hub.subscribe(extension) as queue:
        await websocket.send_text(
            _dumps({"type": "snapshot", "extension": extension, "calls": snapshot})
        )
        receiver = asyncio.create_task(_drain(websocket))
        try:
            await _forward(websocket, token, (extension, own), queue, receiver)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the desk went away mid-send; it gets a snapshot when it comes back
        finally:
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await receiver
            if websocket.client_state is WebSocketState.CONNECTED:
                with contextlib.suppress(RuntimeError):
                    await websocket.close()


async def _forward(
    websocket: WebSocket, token: str, seat: tuple[str, bool],
    queue: asyncio.Queue[dict[str, Any]], receiver: asyncio.Task[None],
) -> None:
    """Sends what the hub publishes, the session re-checked before each message and every
    `live.RECHECK_SECONDS` while nothing comes: closed as soon as it has ended."""
    while not receiver.done():
        getter = asyncio.create_task(queue.get())
        done, _ = await asyncio.wait({getter, receiver}, timeout=live.RECHECK_SECONDS,
                                     return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
            if receiver in done:
                return
        message = getter.result() if getter in done else None
        try:
            await asyncio.to_thread(_recheck, websocket, token, seat, message)
        except NotAuthenticated:
            await websocket.close(code=live.SESSION_ENDED, reason=live.SESSION_ENDED_REASON)
            return
        except DomainError as refused:  # the role or the extension changed meanwhile
            await websocket.close(code=POLICY_VIOLATION, reason=refused.detail[:120])
            return
        if message is not None:
            await websocket.send_text(_dumps(message))


def _recheck(websocket: WebSocket, token: str, seat: tuple[str, bool],
             message: dict[str, Any] | None) -> None:
    """The session still open, the agent still allowed on this extension — their own
    still theirs: once removed, it is no "shared desk" they chose —; the names a ring is
    about to show are logged as read by this agent (whoever follows the seat)."""
    extension, own = seat
    with websocket.app.state.session_factory() as db_session:
        actor = live.live_actor(websocket.app.state, db_session, token)
        if not actor.can(Permission.RESIDENT_READ):
            raise PermissionDenied("Votre rôle ne permet plus de suivre un poste")
        if own and extension_of(db_session, actor) != extension:
            raise PermissionDenied("Ce poste n'est plus le vôtre", extension=extension)
        if followable_extension(db_session, actor, extension) != extension:
            raise PermissionDenied("Ce poste n'est plus le vôtre", extension=extension)
        if message is not None and message.get("type") == "ring":
            service.log_disclosure(db_session=db_session, actor=actor,
                                   match=message.get("match") or {},
                                   reason=f"incoming_call:{extension}")
            db_session.commit()  # one transaction per ring pushed (see above)


async def _drain(websocket: WebSocket) -> None:
    """Reads (and ignores) what the desk sends, to notice when it disconnects."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


def _dumps(message: dict[str, Any]) -> str:
    return orjson.dumps(message, default=str).decode()
