from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from crm_core.agents import activation, approvals, changes, service
from crm_core.agents.actor import Actor
from crm_core.agents.enums import ROLE_PERMISSIONS, Permission
from crm_core.agents.live import live_actor
from crm_core.agents.models import Agent, AgentRequest, Site
from crm_core.agents.schemas import (
    Activation,
    AgentCreate,
    AgentOut,
    AgentRequestOut,
    AgentUpdate,
    MeOut,
    PasswordChange,
    SiteCreate,
    SiteOut,
    TokenOut,
)
from crm_core.api.deps import (
    AgentAdmin,
    AgentApprover,
    BearerToken,
    CatalogAdmin,
    CurrentActor,
    DbSession,
    PasswordChanger,
    app_settings,
    current_actor,
    security_log,
)
from crm_core.exceptions import InvalidInput, NotAuthenticated, PermissionDenied
from crm_core.security import service as guard
from crm_core.text import echoed

router = APIRouter(tags=["agents"])


def request_reader(request: Request, db_session: DbSession, token: BearerToken) -> Actor:
    """Supervisors (who approve the requests) and admins (who file them)."""
    actor = current_actor(request, db_session, token)
    if not (actor.can(Permission.AGENT_APPROVE) or actor.can(Permission.AGENT_ADMIN)):
        security_log.warning("permission denied: agent=%s role=%s site=%s wanted=%s",
                             actor.username, actor.role, actor.site_id, "agent:requests")
        raise PermissionDenied(
            "Votre rôle ne permet pas de consulter les demandes de changement des comptes "
            "d'agents : elles sont réservées aux responsables, qui les valident, et aux "
            "administrateurs, qui les déposent", permission="agent:requests")
    return actor


RequestReader = Annotated[Actor, Depends(request_reader)]


async def _one_value_each(request: Request) -> None:
    """`username=a&username=b` signed in as b while a proxy or a log reading the first
    value saw a: a repeated field is refused, not chosen."""
    form = await request.form()
    repeated = sorted({key for key in form if len(form.getlist(key)) > 1})
    if repeated:
        raise InvalidInput(f"Champ répété : « {echoed(repeated[0], 50)} »"
                           " (une seule valeur attendue)",
                           field=repeated[0][:50])


@router.post("/auth/token", response_model=TokenOut, dependencies=[Depends(_one_value_each)])
def sign_in(
    request: Request,
    db_session: DbSession,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> dict[str, Any]:
    """OAuth2 password form (`username`, `password`); the site code may go in `scope`
    as `site:CODE` to sign in at another site than the agent's own."""
    site_code = next(
        (s.removeprefix("site:") for s in form.scopes if s.startswith("site:")), None
    )
    ttl = timedelta(minutes=request.app.state.settings.token_ttl_minutes)
    address = request.client.host if request.client else "inconnue"
    policy = app_settings(request).security
    guard.check_sign_in(db_session=db_session, policy=policy,
                        username=form.username, address=address)
    try:
        token, session, agent = service.authenticate(
            db_session=db_session, username=form.username, password=form.password,
            site_code=site_code, ttl=ttl,
        )
    except NotAuthenticated:
        db_session.rollback()
        guard.sign_in_failed(db_session=db_session, policy=policy,
                        username=form.username, address=address)
        db_session.commit()  # the failure counts even though the request fails
        raise
    code = db_session.scalar(select(Site.code).where(Site.id == session.site_id))
    return {
        "access_token": token, "token_type": "bearer", "expires_in": int(ttl.total_seconds()),
        "role": agent.role, "display_name": agent.display_name, "site_code": code,
        "password_change_required": agent.must_change_password,
    }


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(db_session: DbSession, actor: PasswordChanger, token: BearerToken) -> None:
    assert token is not None
    service.revoke_token(db_session=db_session, token=token)


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    request: Request, db_session: DbSession, actor: PasswordChanger, token: BearerToken,
    data: PasswordChange,
) -> None:
    """The signed-in agent changes their own password, giving the current one; their other
    sessions and their streams are closed, this one stays. The one route (with sign-out)
    open to a session whose password someone else set: changing it lifts the
    `password_change_required` refusal. Wrong current passwords count towards the sign-in
    lock-out."""
    assert token is not None
    address = request.client.host if request.client else "inconnue"
    policy = app_settings(request).security
    guard.check_sign_in(db_session=db_session, policy=policy,
                        username=actor.username, address=address)
    try:
        service.change_password(
            db_session=db_session, actor=actor, current_password=data.current_password,
            new_password=data.new_password, token=token,
        )
    except service.WrongCurrentPassword:
        db_session.rollback()
        guard.sign_in_failed(db_session=db_session, policy=policy,
                        username=actor.username, address=address)
        db_session.commit()  # the failure counts even though the request fails
        raise


@router.post("/auth/activate", status_code=status.HTTP_204_NO_CONTENT)
def activate(request: Request, db_session: DbSession, data: Activation) -> None:
    """An agent without a password sets theirs with the one-time activation code handed to
    them (then signs in with it). Wrong codes count towards the sign-in lock-out."""
    address = request.client.host if request.client else "inconnue"
    policy = app_settings(request).security
    guard.check_sign_in(db_session=db_session, policy=policy,
                        username=data.username, address=address)
    try:
        activation.activate(db_session=db_session, username=data.username, code=data.code,
                            new_password=data.new_password)
    except activation.ExpiredCode:
        db_session.commit()  # the code is gone, and its expiry logged
        raise
    except NotAuthenticated:
        db_session.rollback()
        guard.sign_in_failed(db_session=db_session, policy=policy,
                        username=data.username, address=address)
        db_session.commit()  # the failure counts even though the request fails
        raise


def _code_life(request: Request) -> timedelta:
    return timedelta(hours=request.app.state.settings.activation_code_hours)


@router.get("/auth/session", status_code=status.HTTP_204_NO_CONTENT)
def session_alive(request: Request, db_session: DbSession, token: BearerToken) -> None:
    """204 while the session lives, 401 once it ended (sign-out, password change,
    deactivation, timeout). Reads only: an idle app polling it is not activity, so the
    inactivity timeout still runs."""
    if not token:
        raise NotAuthenticated("Authentification requise : connectez-vous")
    live_actor(request.app.state, db_session, token)


@router.get("/auth/me", response_model=MeOut)
def me(request: Request, db_session: DbSession, actor: CurrentActor) -> dict[str, Any]:
    """Who is signed in: role, site, permissions, the phone extension a desk follows, and
    the city's time zone (`RELAIS_TIMEZONE`), in which the apps show every date."""
    permissions = sorted(p.value for p in ROLE_PERMISSIONS[actor.role]) if actor.role else []
    agent = db_session.get(Agent, actor.agent_id) if actor.agent_id else None
    return {
        "agent_id": actor.agent_id, "username": actor.username, "role": actor.role,
        "site_id": actor.site_id, "permissions": permissions,
        "display_name": agent.display_name if agent else actor.username,
        "phone_extension": agent.phone_extension if agent else None,
        "timezone": app_settings(request).timezone,
    }


@router.get("/sites", response_model=list[SiteOut])
def list_sites(db_session: DbSession, actor: CurrentActor) -> list[Site]:
    return service.list_sites(db_session=db_session)


@router.post("/sites", response_model=SiteOut, status_code=status.HTTP_201_CREATED)
def create_site(db_session: DbSession, actor: CatalogAdmin, data: SiteCreate) -> Site:
    site = service.create_site(db_session=db_session, **data.model_dump())
    return site


@router.get("/agents", response_model=list[AgentOut])
def list_agents(db_session: DbSession, actor: AgentAdmin) -> list[AgentOut]:
    pending = {r.agent_id: r.id for r in approvals.list_requests(db_session=db_session,
                                                                limit=500)}
    listed = [AgentOut.model_validate(agent) for agent in service.list_agents(
        db_session=db_session)]
    for out in listed:
        out.pending_request_id = pending.get(out.id)
    return listed


def _out(db_session: DbSession, agent: Agent, request: AgentRequest | None,
         handover: changes.Handover | None = None) -> AgentOut:
    out = AgentOut.model_validate(agent)
    out.pending_request_id = request.id if request else approvals.pending_request_id(
        db_session=db_session, agent_id=agent.id)
    if handover is not None:
        out.activation_code, out.activation_expires_at = handover.code, handover.expires_at
    return out


@router.post("/agents", response_model=AgentOut, status_code=status.HTTP_201_CREATED)
def create_agent(request: Request, db_session: DbSession, actor: AgentAdmin,
                 data: AgentCreate) -> AgentOut:
    """An account without password. One that would read residents' data is created
    inactive, with a request a supervisor approves (`pending_request_id`), who then gets
    its activation code; any other gets its code here (`activation_code`, shown once)."""
    agent, filed, handover = changes.create(db_session=db_session, author=actor,
                                            valid_for=_code_life(request),
                                            timezone=app_settings(request).timezone,
                                            **data.model_dump())
    out = _out(db_session, agent, filed, handover)
    return out


@router.patch("/agents/{agent_id}", response_model=AgentOut)
def change_agent(db_session: DbSession, actor: AgentAdmin, agent_id: uuid.UUID,
                 data: AgentUpdate) -> AgentOut:
    """Only the fields given change (`site_code: null`: every site). What takes access
    away applies at once; what grants residents' data waits for a supervisor."""
    given = {name: getattr(data, name) for name in data.model_fields_set}
    for name in ("display_name", "role", "active"):
        if given.get(name, 0) is None:
            del given[name]  # null: unchanged (these have no "none")
    agent, request = changes.change(db_session=db_session, author=actor, agent_id=agent_id,
                                    **given)
    out = _out(db_session, agent, request)
    return out


async def _no_body(request: Request) -> None:
    """A body here would be dropped unread: a password sent with it (`{"password": …}`)
    must not look accepted when the agent will choose their own with a code."""
    if (await request.body()).strip() not in (b"", b"{}"):
        raise InvalidInput("Aucun corps de requête attendu : l'administrateur ne choisit pas"
                           " le mot de passe, l'agent le choisit avec un code d'activation",
                           field="body")


@router.post("/agents/{agent_id}/password", response_model=AgentOut,
             dependencies=[Depends(_no_body)])
def reset_password(request: Request, db_session: DbSession, actor: AgentAdmin,
                   agent_id: uuid.UUID) -> AgentOut:
    """Revokes a colleague's lost password and closes their sessions; they choose a new
    one with an activation code. For an account with residents' data it waits for a
    supervisor, who gets the code; otherwise the code is in this answer. Never one's own
    (403 `own_password_reset`: `POST /auth/password` proves the current one)."""
    agent, filed, handover = changes.reset_password(
        db_session=db_session, author=actor, agent_id=agent_id, valid_for=_code_life(request),
        timezone=app_settings(request).timezone)
    out = _out(db_session, agent, filed, handover)
    return out


@router.get("/agents/requests", response_model=list[AgentRequestOut])
def list_requests(db_session: DbSession, actor: RequestReader, pending_only: bool = True,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
    """Changes of agents that grant residents' data, newest first (pending ones by default)."""
    return approvals.list_requests(db_session=db_session, pending_only=pending_only, limit=limit)


@router.post("/agents/requests/{agent_request_id}/approve", response_model=AgentRequestOut)
def approve_request(request: Request, db_session: DbSession, actor: AgentApprover,
                    agent_request_id: uuid.UUID) -> AgentRequestOut:
    """A supervisor other than the request's author and than the agent concerned. A request
    the account has changed since is closed unapplied (409 `stale_request`). An account
    left without a password gets its activation code here, for the approver to hand over."""
    try:
        approved, handover = approvals.approve(db_session=db_session, approver=actor,
                                             request_id=agent_request_id,
                                             valid_for=_code_life(request),
                                             timezone=app_settings(request).timezone)
    except approvals.StaleRequest:
        db_session.commit()  # closed and logged, though the approval fails
        raise
    out = AgentRequestOut.model_validate(approved)
    if handover is not None:
        out.activation_code, out.activation_expires_at = handover.code, handover.expires_at
    return out


@router.post("/agents/requests/{agent_request_id}/refuse", response_model=AgentRequestOut)
def refuse_request(db_session: DbSession, actor: AgentApprover,
                   agent_request_id: uuid.UUID) -> Any:
    request = approvals.refuse(db_session=db_session, approver=actor, request_id=agent_request_id)
    return request
