"""Request-scoped dependencies: the settings, the database session and the authenticated agent."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crm_core.agents import service as agents
from crm_core.agents.actor import Actor
from crm_core.agents.enums import Permission
from crm_core.api.unit_of_work import request_transaction
from crm_core.config import Settings
from crm_core.config.security import SecuritySettings
from crm_core.exceptions import NotAuthenticated, NotFound, PermissionDenied
from crm_core.security import service as guard
from crm_core.text import de

security_log = logging.getLogger("relais.security")


def app_settings(request: Request) -> Settings:
    """The one `Settings` the application was built with (`create_app(settings)`)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session per request, in its unit of work (`crm_core.api.unit_of_work`): committed
    once the route returns and before the answer is sent; rolled back on any error.

    Async on purpose, though the session is used from the route's thread: a Session
    connects lazily, so opening one does no I/O, and the commit goes to threads of its own
    (`request_transaction`). A sync dependency would cost two more trips through the
    request threads on every request (one in, one out), the hottest overhead of the
    summary."""
    session = request.app.state.session_factory()
    try:
        async with request_transaction(session):
            yield session
    finally:
        session.close()


# scope="function": the unit of work ends with the route, before the response is sent.
DbSession = Annotated[Session, Depends(get_db, scope="function")]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
BearerToken = Annotated[str | None, Depends(_bearer)]


def current_actor(request: Request, db_session: DbSession, token: BearerToken) -> Actor:
    """The session's agent; `PasswordChangeRequired` (403) while someone else's password
    is still theirs."""
    return _session_agent(request, db_session, token, changing_password=False)


def _session_agent(request: Request, db_session: Session, token: str | None, *,
                   changing_password: bool) -> Actor:
    if not token:
        raise NotAuthenticated("Authentification requise : connectez-vous")
    actor, activity_due = agents.session_actor(
        db_session=db_session, token=token, idle_timeout=request.app.state.agent_idle_timeout,
        changing_password=changing_password,
    )
    try:
        if activity_due:
            agents.note_activity(db_session=db_session, token=token)
        # The route runs in another trip through the thread pool. Locks taken here must
        # not be held until it commits, or the requests queued behind them would hold
        # the threads it waits for: the activity mark's row lock, and on SQLite the
        # write lock every transaction takes (BEGIN IMMEDIATE). PostgreSQL reads hold
        # none, and skip the extra commit.
        if activity_due or request.app.state.engine.dialect.name == "sqlite":
            db_session.commit()
    except OperationalError:  # SQLite busy: the mark waits for a next request
        db_session.rollback()
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def password_changer(request: Request, db_session: DbSession, token: BearerToken) -> Actor:
    """Any live session, even one that must change its password first (someone else set
    it): for the only routes it may use, changing it and signing out."""
    return _session_agent(request, db_session, token, changing_password=True)


PasswordChanger = Annotated[Actor, Depends(password_changer)]

_PERMISSION_LABELS = {
    Permission.RESIDENT_READ: "consulter les dossiers des usagers",
    Permission.RESIDENT_WRITE: "modifier les dossiers des usagers",
    Permission.CASE_WRITE: "ouvrir ou modifier des demandes",
    Permission.INTERACTION_WRITE: "enregistrer des contacts",
    Permission.RESIDENT_MERGE: "fusionner des dossiers",
    Permission.RESIDENT_ERASE: "effacer des dossiers",
    Permission.REPORT_READ: "consulter les rapports",
    Permission.AGENT_ADMIN: "gérer les agents",
    Permission.AGENT_APPROVE: "valider les accès des agents",
    Permission.CATALOG_ADMIN: "gérer les sites et les services",
}


def permission_refusal(permission: Permission, doing: str | None = None) -> str:
    """ "Votre rôle ne permet pas d'effacer des dossiers" (elided: never "de effacer");
    `doing`: what the route does, where the permission's own words would say another
    thing (listing the rights requests needs the erasure's permission)."""
    return f"Votre rôle ne permet pas {de(doing or _PERMISSION_LABELS[permission])}"


def require(permission: Permission, *,
            doing: str | None = None) -> Callable[[Request, Session, str | None], Actor]:
    # Authentication and the permission check in one dependency: one thread-pool trip.
    def dependency(request: Request, db_session: DbSession, token: BearerToken) -> Actor:
        actor = current_actor(request, db_session, token)
        if not actor.can(permission):
            security_log.warning("permission denied: agent=%s role=%s site=%s wanted=%s",
                                 actor.username, actor.role, actor.site_id, permission.value)
            raise PermissionDenied(permission_refusal(permission, doing),
                                   permission=permission.value)
        return actor

    return dependency


ResidentReader = Annotated[Actor, Depends(require(Permission.RESIDENT_READ))]


def admit_find(db_session: Session, actor: Actor, policy: SecuritySettings) -> None:
    """The lookup lock and the per-agent rate limit, counted and committed at once, so
    that a refusal counts too. For routes that find a file only with some bodies (an
    exchange naming a case reference); the others take a finder dependency."""
    try:
        guard.admit_find(db_session=db_session, policy=policy, actor=actor)
    finally:
        db_session.commit()  # a refusal counts too, though the request then fails


def finding(permission: Permission) -> Callable[[Request, Session, str | None], Actor]:
    """A route that reaches a resident's file from something an agent typed or scanned (a
    case reference, a badge, a call): the permission, then the same lock and limit as a
    lookup."""
    def dependency(request: Request, db_session: DbSession, token: BearerToken) -> Actor:
        actor = require(permission)(request, db_session, token)
        admit_find(db_session, actor, app_settings(request).security)
        return actor

    return dependency


@contextmanager
def misses_counted(db_session: Session, actor: Actor, kind: str,
                   policy: SecuritySettings) -> Iterator[None]:
    """A reference that names nothing the agent may see counts as a lookup that found
    nobody (towards the lookup lock), whether it names nothing at all or someone else's:
    the two answer the same, down to what they count."""
    try:
        yield
    except NotFound:
        db_session.rollback()
        guard.lookup_missed(db_session=db_session, policy=policy, actor=actor, kind=kind)
        db_session.commit()  # the miss counts even though the request fails
        raise


# Reading what a find shows: residents' files, searches, lookups.
ResidentFinder = Annotated[Actor, Depends(finding(Permission.RESIDENT_READ))]
# Changing a case, or a badge, named by its reference: found first, as by a lookup.
CaseFinder = Annotated[Actor, Depends(finding(Permission.CASE_WRITE))]
BadgeFinder = Annotated[Actor, Depends(finding(Permission.RESIDENT_WRITE))]
# A call or a call-back named by its id.
CallFinder = Annotated[Actor, Depends(finding(Permission.INTERACTION_WRITE))]
ResidentWriter = Annotated[Actor, Depends(require(Permission.RESIDENT_WRITE))]
CaseWriter = Annotated[Actor, Depends(require(Permission.CASE_WRITE))]
InteractionWriter = Annotated[Actor, Depends(require(Permission.INTERACTION_WRITE))]
ResidentEraser = Annotated[Actor, Depends(require(Permission.RESIDENT_ERASE))]
AgentAdmin = Annotated[Actor, Depends(require(Permission.AGENT_ADMIN))]
AgentApprover = Annotated[Actor, Depends(require(Permission.AGENT_APPROVE))]
CatalogAdmin = Annotated[Actor, Depends(require(Permission.CATALOG_ADMIN))]
