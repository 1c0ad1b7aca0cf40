"""Whose calls and call-backs an agent may open by id, and the access-log row of it.

A call is the agent's if they took it or it rang at their extension; a call-back if it is
assigned to them or to nobody (the front office's shared queue). Supervisors, who hand
out the work, open any. Anything else answers 404, exactly as an id that names nothing:
a 403 would confirm to a guesser that the call exists (and when it rang)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role
from crm_core.privacy import service as access_log
from crm_core.privacy.enums import AccessOperation
from crm_core.telephony.desk import extension_of
from crm_core.telephony.exceptions import CallbackNotFound, CallNotFound
from crm_core.telephony.models import Call, Callback


def visible_call(*, db_session: Session, actor: Actor, call_pk: uuid.UUID) -> Call:
    """The call, if this agent may see it; else the answer of an id naming nothing."""
    call = db_session.get(Call, call_pk)
    if call is None or not _is_theirs(db_session, actor, call):
        raise CallNotFound(f"Aucun appel n'a l'identifiant {call_pk}", field="call")
    return call


def open_call(*, db_session: Session, actor: Actor, call_pk: uuid.UUID) -> Call:
    """The call shown to the agent: visible to them, and a read of the caller's file."""
    call = visible_call(db_session=db_session, actor=actor, call_pk=call_pk)
    if call.resident_id is not None:
        access_log.record_access(db_session=db_session, actor=actor,
                                 resident_id=call.resident_id,
                                 operation=AccessOperation.READ_CALL, reason="fiche d'un appel")
    return call


def open_callback(*, db_session: Session, actor: Actor, callback_id: uuid.UUID) -> Callback:
    callback = db_session.get(Callback, callback_id)
    mine = callback is not None and (
        actor.role is Role.SUPERVISOR or callback.assigned_agent_id in (None, actor.agent_id))
    if callback is None or not mine:
        raise CallbackNotFound(f"Aucun rappel n'a l'identifiant {callback_id}")
    if callback.resident_id is not None:
        access_log.record_access(db_session=db_session, actor=actor,
                                 resident_id=callback.resident_id,
                                 operation=AccessOperation.READ_CALL, reason="rappel à faire")
    return callback


def _is_theirs(db_session: Session, actor: Actor, call: Call) -> bool:
    if actor.role is Role.SUPERVISOR or (
            actor.agent_id is not None and call.agent_id == actor.agent_id):
        return True
    own = extension_of(db_session, actor)
    return own is not None and (own in call.extensions or own == call.answered_extension)
