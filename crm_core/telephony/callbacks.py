"""Call-backs: promises to call a resident back, with a due time, listed when due."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.config import get_settings
from crm_core.database.base import utcnow
from crm_core.exceptions import InvalidInput
from crm_core.residents import service as residents
from crm_core.residents.contacts import format_phone_for_display, normalize_phone
from crm_core.telephony.enums import CallbackStatus
from crm_core.telephony.exceptions import CallbackNotFound
from crm_core.telephony.models import Callback
from crm_core.telephony.schemas import CallbackDoneIn, CallbackIn

MAX_AHEAD = timedelta(days=90)


def create(*, db_session: Session, actor: Actor, data: CallbackIn) -> Callback:
    now = utcnow()
    if data.due_at < now - timedelta(minutes=5):
        raise InvalidInput("L'heure du rappel est déjà passée", field="due_at")
    if data.due_at > now + MAX_AHEAD:
        raise InvalidInput("Rappel à plus de 90 jours : trop lointain", field="due_at")
    phone = normalize_phone(data.phone, region=get_settings().default_phone_region)
    resident_id = None
    if data.resident_id:
        resident_id, _ = residents.resolve_id(db_session=db_session, resident_id=data.resident_id)
    callback = Callback(
        resident_id=resident_id, phone=phone, due_at=data.due_at, reason=data.reason,
        call_pk=data.call, created_by_agent_id=actor.agent_id,
        assigned_agent_id=actor.agent_id if data.assigned_to_me else None,
    )
    db_session.add(callback)
    db_session.flush()
    return callback


def list_pending(
    *, db_session: Session, actor: Actor, due_only: bool, now: datetime | None = None
) -> list[Callback]:
    """Pending call-backs for this agent and the unassigned ones, soonest first."""
    statement = select(Callback).where(
        Callback.status == CallbackStatus.PENDING,
        or_(Callback.assigned_agent_id.is_(None), Callback.assigned_agent_id == actor.agent_id),
    )
    if due_only:
        statement = statement.where(Callback.due_at <= (now or utcnow()))
    return list(db_session.scalars(statement.order_by(Callback.due_at).limit(200)))


def complete(
    *, db_session: Session, actor: Actor, callback_id: uuid.UUID, data: CallbackDoneIn
) -> Callback:
    callback = db_session.get(Callback, callback_id)
    if callback is None:
        raise CallbackNotFound(f"Aucun rappel n'a l'identifiant {callback_id}")
    if callback.status is not CallbackStatus.PENDING:
        return callback  # marking done twice (a retry) changes nothing
    callback.status = CallbackStatus.CANCELLED if data.cancelled else CallbackStatus.DONE
    callback.done_at = utcnow()
    callback.done_by_agent_id = actor.agent_id
    callback.outcome_note = data.note
    db_session.flush()
    return callback


def callback_out(callback: Callback, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": callback.id, "resident_id": callback.resident_id, "phone": callback.phone,
        "phone_display": format_phone_for_display(callback.phone), "due_at": callback.due_at,
        "reason": callback.reason, "status": callback.status,
        "assigned_agent_id": callback.assigned_agent_id, "done_at": callback.done_at,
        "outcome_note": callback.outcome_note,
        "overdue": callback.status is CallbackStatus.PENDING
        and callback.due_at < (now or utcnow()),
    }
