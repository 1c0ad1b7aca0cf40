"""Changes of agents' accounts, with four eyes on access to residents' data.

Admins run accounts but do not read residents' files. Without a second pair of eyes, an
admin could still read them by proxy: create (or promote, or reset the password of) a
front-office account and sign in as it. So a change that *grants* residents' data — a role
with more of it than the agent holds, every site instead of one, reactivating an account, a
password set by someone else than the agent — is only filed as an `AgentRequest`; it takes
effect when a supervisor who is neither its author nor the agent concerned approves it.
Changes that only take away (deactivation, a narrower role, a name, one site for another,
an extension) apply at once. Every change, filed, applied, approved or refused, is a
security event naming its author. The console (`relais agent add`) is trusted: whoever runs
it already holds the server and its database.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_core.agents import service
from crm_core.agents.actor import Actor
from crm_core.agents.enums import RESIDENT_DATA, ROLE_PERMISSIONS, RequestStatus, Role
from crm_core.agents.models import Agent, AgentRequest, AgentSession, Site
from crm_core.agents.passwords import check_new_password
from crm_core.agents.security import hash_password
from crm_core.database.base import utcnow
from crm_core.exceptions import Conflict, NotFound, PermissionDenied
from crm_core.security.enums import EventKind
from crm_core.security.service import record_event

UNCHANGED: Any = object()


class AgentRequestNotFound(NotFound):
    code = "agent_request_not_found"


class SecondPairOfEyes(PermissionDenied):
    code = "four_eyes"


def _data(role: Role, active: bool = True) -> frozenset[Any]:
    return ROLE_PERMISSIONS[role] & RESIDENT_DATA if active else frozenset()


def _needs_approval(agent: Agent | None, role: Role, site_id: uuid.UUID | None,
                    password_set: bool) -> bool:
    if not _data(role):
        return False  # an admin account reads no resident
    if agent is None or not agent.active or password_set:
        return True
    widens_site = agent.site_id is not None and site_id is None  # one site -> every site
    return not _data(role) <= _data(agent.role) or widens_site


def _site_code(db_session: Session, site_id: uuid.UUID | None) -> str:
    code = db_session.scalar(select(Site.code).where(Site.id == site_id)) if site_id else None
    return code or "tous les sites"


def _event(db_session: Session, author: Actor, agent: Agent, detail: str) -> None:
    record_event(db_session=db_session, kind=EventKind.AGENT_CHANGED, subject=agent.username,
                 actor=author, detail=f"{detail} (par {author.username})")


def _close_sessions(db_session: Session, agent_id: uuid.UUID) -> None:
    db_session.execute(update(AgentSession).where(
        AgentSession.agent_id == agent_id, AgentSession.revoked_at.is_(None),
    ).values(revoked_at=utcnow()))


def _check_extension(db_session: Session, agent_id: uuid.UUID | None,
                     extension: str | None) -> None:
    """What rings on an extension shows callers' names: one active agent per extension."""
    if not extension:
        return
    statement = select(Agent.username).where(Agent.phone_extension == extension,
                                              Agent.active.is_(True))
    if agent_id is not None:
        statement = statement.where(Agent.id != agent_id)
    holder = db_session.scalar(statement.limit(1))
    if holder:
        raise Conflict(f"Le poste {extension} est déjà attribué à « {holder} »",
                       field="phone_extension")


def _file(db_session: Session, author: Actor, agent: Agent, role: Role,
          site_id: uuid.UUID | None, password_hash: str | None, summary: str) -> AgentRequest:
    db_session.execute(update(AgentRequest).where(
        AgentRequest.agent_id == agent.id, AgentRequest.status == RequestStatus.PENDING,
    ).values(status=RequestStatus.SUPERSEDED, decided_at=utcnow()))
    request = AgentRequest(agent_id=agent.id, requested_by_id=author.agent_id,
                           author=author.username[:64], role=role, site_id=site_id,
                           password_hash=password_hash, summary=summary[:500])
    db_session.add(request)
    db_session.flush()
    _event(db_session, author, agent, f"{summary} : en attente de validation par un responsable")
    return request


def create(
    *, db_session: Session, author: Actor, username: str, display_name: str, password: str,
    role: Role, site_code: str | None = None, phone_extension: str | None = None,
) -> tuple[Agent, AgentRequest | None]:
    """A new account; one that would read residents' data stays inactive until approved."""
    site = service.get_site_by_code(db_session=db_session, code=site_code) if site_code else None
    _check_extension(db_session, None, phone_extension)
    agent = service.create_agent(
        db_session=db_session, username=username, display_name=display_name,
        password=password, role=role, site_code=site_code, phone_extension=phone_extension)
    where = _site_code(db_session, site.id if site else None)
    if author.agent_id is None or not _needs_approval(None, role, agent.site_id, False):
        _event(db_session, author, agent, f"Compte créé : rôle {role.value}, site {where}")
        return agent, None
    agent.active = False
    request = _file(db_session, author, agent, role, agent.site_id, None,
                    f"Compte créé : rôle {role.value}, site {where}")
    return agent, request


def change(
    *, db_session: Session, author: Actor, agent_id: uuid.UUID, display_name: Any = UNCHANGED,
    role: Any = UNCHANGED, site_code: Any = UNCHANGED, phone_extension: Any = UNCHANGED,
    active: Any = UNCHANGED,
) -> tuple[Agent, AgentRequest | None]:
    """Applies what takes away at once; files what grants (see the module's docstring)."""
    agent = service.get_agent(db_session=db_session, agent_id=agent_id)
    done = []
    if display_name is not UNCHANGED and display_name != agent.display_name:
        agent.display_name = display_name
        done.append("nom affiché modifié")
    if phone_extension is not UNCHANGED and phone_extension != agent.phone_extension:
        _check_extension(db_session, agent.id, phone_extension)
        done.append(f"poste {agent.phone_extension or 'aucun'} → {phone_extension or 'aucun'}")
        agent.phone_extension = phone_extension
    if active is False and agent.active:
        agent.active = False
        _close_sessions(db_session, agent.id)
        done.append("compte désactivé")
    new_role = agent.role if role is UNCHANGED else Role(role)
    new_site = agent.site_id
    if site_code is not UNCHANGED:
        new_site = (service.get_site_by_code(db_session=db_session, code=site_code).id
                    if site_code else None)
    reactivate = active is True and not agent.active
    request = None
    if new_role != agent.role or new_site != agent.site_id or reactivate:
        parts = [f"rôle {agent.role.value} → {new_role.value}"] if new_role != agent.role else []
        if new_site != agent.site_id:
            parts.append(f"site {_site_code(db_session, agent.site_id)} → "
                         f"{_site_code(db_session, new_site)}")
        what = ", ".join(parts + (["réactivation"] if reactivate else []))
        # An inactive account reads nothing: only its reactivation grants.
        grants = agent.active and _needs_approval(agent, new_role, new_site, False)
        if author.agent_id is not None and (grants or reactivate):
            request = _file(db_session, author, agent, new_role, new_site, None, what)
        else:
            agent.role, agent.site_id = new_role, new_site
            agent.active = agent.active or reactivate
            done.append(what)
    if done:
        _event(db_session, author, agent, "Compte modifié : " + ", ".join(done))
    db_session.flush()
    return agent, request


def reset_password(
    *, db_session: Session, author: Actor, agent_id: uuid.UUID, new_password: str,
) -> tuple[Agent, AgentRequest | None]:
    """A password set by someone else than the agent: whoever set it could sign in as the
    agent, so for an account with residents' data it waits for a supervisor."""
    agent = service.get_agent(db_session=db_session, agent_id=agent_id)
    check_new_password(new_password, username=agent.username)
    digest = hash_password(new_password)
    if author.agent_id is not None and _needs_approval(agent, agent.role, agent.site_id, True):
        summary = "Mot de passe réinitialisé" + ("" if agent.active else ", réactivation")
        return agent, _file(db_session, author, agent, agent.role, agent.site_id, digest,
                            summary)
    agent.password_hash = digest
    _close_sessions(db_session, agent.id)
    _event(db_session, author, agent, "Mot de passe réinitialisé, sessions fermées")
    db_session.flush()
    return agent, None


def _pending(db_session: Session, request_id: uuid.UUID) -> AgentRequest:
    request = db_session.get(AgentRequest, request_id)
    if request is None or request.status is not RequestStatus.PENDING:
        raise AgentRequestNotFound("Aucune demande en attente n'a cet identifiant")
    return request


def _decide(db_session: Session, approver: Actor, request_id: uuid.UUID) -> AgentRequest:
    request = _pending(db_session, request_id)
    if approver.agent_id in (request.requested_by_id, request.agent_id):
        raise SecondPairOfEyes(
            "Quatre yeux : une demande est validée par un autre responsable que son auteur "
            "et que l'agent concerné")
    request.decided_at, request.decided_by_id = utcnow(), approver.agent_id
    return request


def approve(*, db_session: Session, approver: Actor, request_id: uuid.UUID) -> AgentRequest:
    request = _decide(db_session, approver, request_id)
    agent = service.get_agent(db_session=db_session, agent_id=request.agent_id)
    _check_extension(db_session, agent.id, agent.phone_extension)
    agent.role, agent.site_id, agent.active = request.role, request.site_id, True
    if request.password_hash:
        agent.password_hash = request.password_hash
        _close_sessions(db_session, agent.id)
    request.status = RequestStatus.APPROVED
    _event(db_session, approver, agent,
           f"Demande de {request.author} validée : {request.summary}")
    db_session.flush()
    return request


def refuse(*, db_session: Session, approver: Actor, request_id: uuid.UUID) -> AgentRequest:
    request = _decide(db_session, approver, request_id)
    agent = service.get_agent(db_session=db_session, agent_id=request.agent_id)
    request.status = RequestStatus.REFUSED
    _event(db_session, approver, agent,
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
