"""Call-backs: promises to call a resident back, with a due time, listed when due."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.consent.contactability import may_call
from crm_core.database.base import utcnow
from crm_core.exceptions import InvalidInput
from crm_core.residents import service as residents
from crm_core.residents.contacts import format_phone_for_display, normalize_phone
from crm_core.residents.enums import ContactKind
from crm_core.residents.models import ContactPoint
from crm_core.telephony import access
from crm_core.telephony.enums import CallbackStatus
from crm_core.telephony.exceptions import (
    CallbackAlreadyDone,
    CallbackNotFound,
    CallbackResidentMismatch,
    CallsRefused,
)
from crm_core.telephony.models import Call, Callback
from crm_core.telephony.schemas import CallbackDoneIn, CallbackIn

MAX_AHEAD = timedelta(days=90)


def create(*, db_session: Session, actor: Actor, data: CallbackIn, region: str) -> Callback:
    """`region`: where a national phone number is read (`RELAIS_DEFAULT_PHONE_REGION`)."""
    now = utcnow()
    if data.due_at < now - timedelta(minutes=5):
        raise InvalidInput("L'heure du rappel est déjà passée", field="due_at")
    if data.due_at > now + MAX_AHEAD:
        raise InvalidInput("Rappel à plus de 90 jours : trop lointain", field="due_at")
    phone = normalize_phone(data.phone, region=region)
    # Only a call this agent may open (the id is checked here, never left to the foreign
    # key: an unknown id would fail the insert).
    call = (access.visible_call(db_session=db_session, actor=actor, call_pk=data.call)
            if data.call else None)
    resident_id = _resident_of(db_session, data.resident_id, call)
    if resident_id:
        _check_may_call(db_session, resident_id, phone, asked=data.requested_by_resident)
    if resident_id or not data.requested_by_resident:
        # Whoever the call-back is filed under, the number's other owners' choices hold:
        # the resident on the line asks for themselves only (`requested_by_resident`
        # lifts the refusal of the file named, never that of another file's owner).
        # With no file named, the person asking may be the owner: their ask holds.
        _check_number_alone(db_session, phone, filed_under=resident_id)
    callback = Callback(
        resident_id=resident_id, phone=phone, due_at=data.due_at, reason=data.reason,
        call_pk=data.call, created_by_agent_id=actor.agent_id,
        assigned_agent_id=actor.agent_id if data.assigned_to_me else None,
    )
    db_session.add(callback)
    db_session.flush()
    return callback


def _resident_of(db_session: Session, given: uuid.UUID | None,
                 call: Call | None) -> uuid.UUID | None:
    """The file the call-back goes to (merges followed): the one given, or the call's. A
    call of one resident filed under another would mix two files: refused."""
    resident_id = (residents.writable_id(db_session=db_session, resident_id=given)
                   if given else None)
    if call is None or call.resident_id is None:
        return resident_id
    callers = residents.writable_id(db_session=db_session, resident_id=call.resident_id)
    if resident_id is not None and resident_id != callers:
        raise CallbackResidentMismatch(
            "Rappel non prévu : cet appel est rattaché à la fiche d'un autre usager que "
            "celui indiqué. Indiquez l'usager de l'appel, ou ne citez pas l'appel.",
            field="resident_id")
    return callers


_ONLY_IF_ASKED = " Ne le rappelez que s'il demande lui-même ce rappel maintenant."
_ANOTHER_NUMBER = (" Même à la demande de l'usager, rappelez-le sur un autre numéro :"
                   " demandez-lui un numéro à lui.")


def _on_file(db_session: Session, phone: str) -> list[uuid.UUID]:
    """The files holding this (E.164) number: contact points are stored normalised."""
    return list(db_session.scalars(select(ContactPoint.resident_id).distinct().where(
        ContactPoint.kind == ContactKind.PHONE, ContactPoint.value == phone)))


def _check_may_call(db_session: Session, resident_id: uuid.UUID, phone: str, *,
                    asked: bool) -> None:
    """The resident's choices hold here, not only on the desk: a resident who refused
    calls is called back only when they ask for this call-back themselves."""
    if asked or may_call(db_session=db_session, resident_id=resident_id, phone=phone):
        return
    if resident_id in _on_file(db_session, phone):
        why = "l'usager a refusé les appels de la mairie sur ce numéro (ses choix de contact)."
    else:  # another number: refused because no number of the file may be called
        why = ("ce numéro n'est pas sur la fiche de l'usager, et il a refusé les appels de "
               "la mairie (ses choix de contact).")
    raise CallsRefused(f"Rappel non prévu : {why}{_ONLY_IF_ASKED}",
                       field="requested_by_resident")


def _check_number_alone(db_session: Session, phone: str, *,
                        filed_under: uuid.UUID | None) -> None:
    """A number is still its owners' whatever file the call-back names: their choices hold
    (else any client of the API would call back a resident who refused, by leaving out
    the file or by naming another one who accepts calls)."""
    for resident_id in _on_file(db_session, phone):
        if resident_id == filed_under:
            continue  # checked by _check_may_call, with its own message
        if not may_call(db_session=db_session, resident_id=resident_id, phone=phone):
            if filed_under is None:
                whose, then, field = "d'un usager", _ONLY_IF_ASKED, "requested_by_resident"
            else:  # their refusal is not the named resident's to lift
                whose, then, field = "d'un autre usager", _ANOTHER_NUMBER, "phone"
            raise CallsRefused(
                f"Rappel non prévu : ce numéro est sur la fiche {whose} qui a refusé les "
                f"appels de la mairie sur ce numéro (ses choix de contact).{then}",
                field=field)


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
        wanted = CallbackStatus.CANCELLED if data.cancelled else CallbackStatus.DONE
        if (callback.status, callback.outcome_note) == (wanted, data.note):
            return callback  # the same marking twice (a retry) changes nothing
        raise CallbackAlreadyDone(  # else the new content would be silently dropped
            "Rappel déjà consigné ("
            + ("annulé" if callback.status is CallbackStatus.CANCELLED else "fait")
            + "), avec un autre contenu : rien n'a été modifié.")
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
