"""Approving or refusing a request filed by `crm_core.agents.changes`: a supervisor who is
neither its author nor the agent concerned applies it, if the account is still as it was
when it was filed (`access_state`); a stale one is closed, never applied."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents import activation, service
from crm_core.agents.actor import Actor
from crm_core.agents.changes import (
    CODE_LIFE,
    Handover,
    access_state,
    check_extension,
    hand_over,
    reaches_data,
    record_event,
)
from crm_core.agents.enums import RequestStatus
from crm_core.agents.models import AgentRequest
from crm_core.database.base import utcnow
from crm_core.exceptions import Conflict, NotFound, PermissionDenied


class AgentRequestNotFound(NotFound):
    code = "agent_request_not_found"


class SecondPairOfEyes(PermissionDenied):
    code = "four_eyes"


class StaleRequest(Conflict):
    code = "stale_request"


def _pending(db_session: Session, request_id: uuid.UUID) -> AgentRequest:
    request = db_session.get(AgentRequest, request_id)
    if request is None or request.status is not RequestStatus.PENDING:
        raise AgentRequestNotFound("Aucune demande en attente n'a cet identifiant")
    return request


def _decide(db_session: Session, approver: Actor, request_id: uuid.UUID, *,
            approving: bool = True) -> AgentRequest:
    request = _pending(db_session, request_id)
    # A refusal only keeps access from being granted: the agent concerned (or the author,
    # withdrawing it) may say no; only an approval needs a second pair of eyes.
    if approving and approver.agent_id in (request.requested_by_id, request.agent_id):
        raise SecondPairOfEyes(
            "Quatre yeux : une demande est validée par un autre responsable que son auteur "
            "et que l'agent concerné")
    request.decided_at, request.decided_by_id = utcnow(), approver.agent_id
    return request


def approve(*, db_session: Session, approver: Actor, request_id: uuid.UUID,
            valid_for: timedelta = CODE_LIFE,
            timezone: str) -> tuple[AgentRequest, Handover | None]:
    """Applies the request, if the account is still as it was when it was filed. A stale
    one is closed (flushed) and `StaleRequest` raised: the caller commits, then answers.
    An account left without a password the agent alone knows gets a code, for the
    approver to hand over."""
    request = _decide(db_session, approver, request_id)
    agent = service.get_agent(db_session=db_session, agent_id=request.agent_id)
    if request.filed_against != access_state(agent):
        request.status = RequestStatus.SUPERSEDED
        record_event(db_session, approver, agent, f"Demande de {request.author} périmée, non "
                     f"appliquée (le compte a changé depuis) : {request.summary}")
        db_session.flush()
        raise StaleRequest(
            "Demande périmée : le rôle, le site, l'activation ou le mot de passe de l'agent "
            "ont changé depuis qu'elle a été déposée. Elle est close sans être appliquée ; "
            "un administrateur peut la déposer à nouveau.")
    check_extension(db_session, agent.id, agent.phone_extension)
    agent.role, agent.site_id, agent.active = request.role, request.site_id, True
    known = agent.password_set_by is not None and reaches_data(agent.role)
    if request.resets_password or known:
        # Someone else could use the password (bob's case: an admin activated an admin
        # account, then asked for its promotion): it goes; the approver hands a code over.
        activation.revoke_password(db_session, agent, voided_by=approver)
        agent.password_set_by = None
    request.status = RequestStatus.APPROVED
    record_event(db_session, approver, agent,
                 f"Demande de {request.author} validée : {request.summary}")
    # An admin account's code goes to an admin (a reset), never to a supervisor: one who
    # could act as an admin would file requests and approve them alone.
    handover = (hand_over(db_session, approver, agent, valid_for, timezone)
                if reaches_data(agent.role) else None)
    db_session.flush()
    return request, handover


def refuse(*, db_session: Session, approver: Actor, request_id: uuid.UUID) -> AgentRequest:
    request = _decide(db_session, approver, request_id, approving=False)
    agent = service.get_agent(db_session=db_session, agent_id=request.agent_id)
    request.status = RequestStatus.REFUSED
    record_event(db_session, approver, agent,
                 f"Demande de {request.author} refusée : {request.summary}")
    db_session.flush()
    return request


def list_requests(*, db_session: Session, pending_only: bool = True,
                  limit: int = 100) -> list[AgentRequest]:
    statement = select(AgentRequest).order_by(AgentRequest.requested_at.desc()).limit(limit)
    if pending_only:
        statement = statement.where(AgentRequest.status == RequestStatus.PENDING)
    return list(db_session.scalars(statement))


def pending_request_id(*, db_session: Session, agent_id: uuid.UUID) -> uuid.UUID | None:
    return db_session.scalar(select(AgentRequest.id).where(
        AgentRequest.agent_id == agent_id, AgentRequest.status == RequestStatus.PENDING))
