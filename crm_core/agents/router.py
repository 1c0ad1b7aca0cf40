from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from crm_core.agents import service
from crm_core.agents.enums import ROLE_PERMISSIONS
from crm_core.agents.models import Agent, Site
from crm_core.agents.schemas import (
    AgentCreate,
    AgentOut,
    MeOut,
    PasswordChange,
    SiteCreate,
    SiteOut,
    TokenOut,
)
from crm_core.api.deps import AgentAdmin, BearerToken, CatalogAdmin, CurrentActor, DbSession
from crm_core.exceptions import NotAuthenticated
from crm_core.security import service as guard

router = APIRouter(tags=["agents"])


@router.post("/auth/token", response_model=TokenOut)
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
    guard.check_sign_in(db_session=db_session, username=form.username, address=address)
    try:
        token, session, agent = service.authenticate(
            db_session=db_session, username=form.username, password=form.password,
            site_code=site_code, ttl=ttl,
        )
    except NotAuthenticated:
        db_session.rollback()
        guard.sign_in_failed(db_session=db_session, username=form.username, address=address)
        db_session.commit()  # the failure counts even though the request fails
        raise
    db_session.commit()
    code = db_session.scalar(select(Site.code).where(Site.id == session.site_id))
    return {
        "access_token": token, "token_type": "bearer", "expires_in": int(ttl.total_seconds()),
        "role": agent.role, "display_name": agent.display_name, "site_code": code,
    }


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(db_session: DbSession, actor: CurrentActor, token: BearerToken) -> None:
    assert token is not None
    service.revoke_token(db_session=db_session, token=token)
    db_session.commit()


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    request: Request, db_session: DbSession, actor: CurrentActor, token: BearerToken,
    data: PasswordChange,
) -> None:
    """The signed-in agent changes their own password, giving the current one; their other
    sessions are closed. Wrong current passwords count towards the sign-in lock-out."""
    assert token is not None
    address = request.client.host if request.client else "inconnue"
    guard.check_sign_in(db_session=db_session, username=actor.username, address=address)
    try:
        service.change_password(
            db_session=db_session, actor=actor, current_password=data.current_password,
            new_password=data.new_password, token=token,
        )
    except service.WrongCurrentPassword:
        db_session.rollback()
        guard.sign_in_failed(db_session=db_session, username=actor.username, address=address)
        db_session.commit()
        raise
    db_session.commit()


@router.get("/auth/me", response_model=MeOut)
def me(db_session: DbSession, actor: CurrentActor) -> dict[str, Any]:
    """Who is signed in: role, site, permissions, and the phone extension a desk follows."""
    permissions = sorted(p.value for p in ROLE_PERMISSIONS[actor.role]) if actor.role else []
    agent = db_session.get(Agent, actor.agent_id) if actor.agent_id else None
    return {
        "agent_id": actor.agent_id, "username": actor.username, "role": actor.role,
        "site_id": actor.site_id, "permissions": permissions,
        "display_name": agent.display_name if agent else actor.username,
        "phone_extension": agent.phone_extension if agent else None,
    }


@router.get("/sites", response_model=list[SiteOut])
def list_sites(db_session: DbSession, actor: CurrentActor) -> list[Site]:
    return service.list_sites(db_session=db_session)


@router.post("/sites", response_model=SiteOut, status_code=status.HTTP_201_CREATED)
def create_site(db_session: DbSession, actor: CatalogAdmin, data: SiteCreate) -> Site:
    site = service.create_site(db_session=db_session, **data.model_dump())
    db_session.commit()
    return site


@router.get("/agents", response_model=list[AgentOut])
def list_agents(db_session: DbSession, actor: AgentAdmin) -> list[Any]:
    return service.list_agents(db_session=db_session)


@router.post("/agents", response_model=AgentOut, status_code=status.HTTP_201_CREATED)
def create_agent(db_session: DbSession, actor: AgentAdmin, data: AgentCreate) -> Any:
    agent = service.create_agent(db_session=db_session, **data.model_dump())
    db_session.commit()
    return agent
