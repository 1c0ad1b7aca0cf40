"""Agents, sites, sign-in and bearer-token sessions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role, SiteKind
from crm_core.agents.models import Agent, AgentSession, Site
from crm_core.agents.passwords import check_new_password
from crm_core.agents.schemas import username_problem
from crm_core.agents.security import (
    NO_PASSWORD,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from crm_core.agents.wording import record_agent_change
from crm_core.database.base import utcnow
from crm_core.exceptions import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from crm_core.text import echoed, single_line_problem


class SiteNotFound(NotFound):
    code = "site_not_found"


CHANGE_FIRST_MESSAGE = (
    "Vous devez changer votre mot de passe avant toute autre chose : il a été défini par "
    "quelqu'un d'autre (création du compte sur la console du serveur). Les applications du "
    "guichet et du poste téléphonique ne savent pas encore le changer : dans un terminal, "
    "tapez « relais password VOTRE-IDENTIFIANT --server ADRESSE-DU-SERVEUR », puis "
    "reconnectez-vous ici."
)


class PasswordChangeRequired(PermissionDenied):
    """A session opened with a password someone else set may only change it."""

    code = "password_change_required"


class WrongCurrentPassword(InvalidInput):
    # Not 401: the session is fine, and the apps sign out on 401.
    code = "wrong_password"


def get_site_by_code(*, db_session: Session, code: str) -> Site:
    site = db_session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise SiteNotFound(f"Site d'accueil inconnu : « {echoed(code)} »", field="site")
    return site


def list_sites(*, db_session: Session) -> list[Site]:
    return list(db_session.scalars(select(Site).where(Site.active).order_by(Site.name)))


def create_site(
    *, db_session: Session, code: str, name: str, kind: SiteKind, insee_code: str | None = None,
    address: str | None = None,
) -> Site:
    if db_session.scalar(select(Site.id).where(Site.code == code)):
        raise Conflict(f"Le site « {code} » existe déjà", field="code")
    site = Site(code=code, name=name, kind=kind, insee_code=insee_code, address=address)
    db_session.add(site)
    db_session.flush()
    return site


def create_agent(
    *, db_session: Session, username: str, display_name: str, password: str | None, role: Role,
    site_code: str | None = None, phone_extension: str | None = None,
    weak_password_allowed: bool = False,
) -> Agent:
    """`weak_password_allowed` is for the demo agents only, whose password is documented.
    No `password`: none usable, until the agent sets one with an activation code."""
    # The API's rule (its schema), for `relais agent add` which comes straight here.
    if (problem := username_problem(username)) is not None:
        raise InvalidInput(f"Identifiant d'agent : {problem}", field="username")
    username = username.lower()
    # The API checks it too (schemas); `relais agent add` comes straight here.
    display_name = display_name.strip()
    if (problem := single_line_problem(display_name) if display_name else "nom vide"):
        raise InvalidInput(f"Nom affiché de l'agent : {problem}", field="display_name")
    if password is None:
        pass
    elif not weak_password_allowed:
        check_new_password(password, username=username)
    elif not password:
        raise InvalidInput("Mot de passe vide", field="password")
    if db_session.scalar(select(Agent.id).where(Agent.username == username)):
        raise Conflict(f"L'agent « {username} » existe déjà", field="username")
    site = get_site_by_code(db_session=db_session, code=site_code) if site_code else None
    agent = Agent(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password) if password is not None else NO_PASSWORD,
        role=role,
        site_id=site.id if site else None,
        phone_extension=phone_extension,
    )
    db_session.add(agent)
    db_session.flush()
    return agent


def list_agents(*, db_session: Session) -> list[Agent]:
    return list(db_session.scalars(select(Agent).order_by(Agent.username)))


def authenticate(
    *, db_session: Session, username: str, password: str, site_code: str | None,
    ttl: timedelta, now: datetime | None = None,
) -> tuple[str, AgentSession, Agent]:
    """Check the password and open a session at the chosen site (default: the agent's)."""
    agent = db_session.scalar(select(Agent).where(Agent.username == username.strip().lower()))
    valid = verify_password(agent.password_hash if agent else None, password)
    if agent is None or not valid or not agent.active:
        raise NotAuthenticated("Identifiant ou mot de passe incorrect")
    site_id = agent.site_id
    if site_code:
        site_id = get_site_by_code(db_session=db_session, code=site_code).id
    now = now or utcnow()
    token = new_token()
    session = AgentSession(
        token_hash=token_digest(token), agent_id=agent.id, site_id=site_id,
        created_at=now, expires_at=now + ttl, last_seen_at=now,
    )
    db_session.add(session)
    db_session.flush()
    return token, session, agent


_SESSION_ACTOR = (
    select(Agent.id, Agent.username, Agent.role, AgentSession.site_id,
           AgentSession.last_seen_at, Agent.must_change_password)
    .join(Agent, Agent.id == AgentSession.agent_id)
    .where(
        AgentSession.token_hash == bindparam("token_hash"),
        AgentSession.revoked_at.is_(None),
        AgentSession.expires_at > bindparam("now"),
        func.coalesce(AgentSession.last_seen_at, AgentSession.created_at)
        > bindparam("idle_since"),
        Agent.active,
    )
)
# PostgreSQL: a session's row locked by a concurrent mark is skipped, never waited for.
_TOUCH = (
    update(AgentSession)
    .where(AgentSession.token_hash == (
        select(AgentSession.token_hash)
        .where(AgentSession.token_hash == bindparam("digest"))
        .with_for_update(skip_locked=True).scalar_subquery()
    ))
    .values(last_seen_at=bindparam("seen"))
)
# Activity is recorded at most once a minute per session, not at every request.
TOUCH_EVERY = timedelta(minutes=1)
_NEVER_IDLE = datetime(1970, 1, 1, tzinfo=UTC)


def session_actor(
    *, db_session: Session, token: str, idle_timeout: timedelta | None = None,
    now: datetime | None = None, changing_password: bool = False,
) -> tuple[Actor, bool]:
    """The agent behind a live session (not revoked, not expired, used within
    `idle_timeout`, the inactivity timeout; None: none), and whether its activity is due
    to be noted (`note_activity`). Reads only. While the agent's password is one someone
    else set, `PasswordChangeRequired` unless `changing_password` (the routes that change
    it or sign out): refused here, every way in (routes, the desk's socket) is covered."""
    now = now or utcnow()
    idle_since = now - idle_timeout if idle_timeout else _NEVER_IDLE
    # Runs on every request: a statement built once, on the Core connection.
    row = db_session.connection().execute(_SESSION_ACTOR, {
        "token_hash": token_digest(token), "now": now, "idle_since": idle_since,
    }).first()
    if row is None:
        raise NotAuthenticated("Session expirée ou invalide : reconnectez-vous")
    due = row.last_seen_at is None or now - row.last_seen_at >= TOUCH_EVERY
    if row.must_change_password and not changing_password:
        raise PasswordChangeRequired(CHANGE_FIRST_MESSAGE)
    actor = Actor(agent_id=row.id, username=row.username, role=row.role, site_id=row.site_id,
                  must_change_password=row.must_change_password)
    return actor, due


def note_activity(*, db_session: Session, token: str, now: datetime | None = None) -> None:
    """Mark the session used now. The caller commits at once: the mark must not hold
    the session's row (or SQLite's write lock) while the request waits for a thread."""
    db_session.connection().execute(
        _TOUCH, {"digest": token_digest(token), "seen": now or utcnow()}
    )


def actor_for_token(
    *, db_session: Session, token: str, idle_timeout: timedelta | None = None,
    now: datetime | None = None,
) -> Actor:
    """`session_actor`, noting the activity in the caller's transaction (for callers that
    do all their work in one go, like the desk's socket)."""
    actor, due = session_actor(
        db_session=db_session, token=token, idle_timeout=idle_timeout, now=now
    )
    if due:
        note_activity(db_session=db_session, token=token, now=now)
    return actor


def change_password(
    *, db_session: Session, actor: Actor, current_password: str, new_password: str,
    token: str,
) -> int:
    """The agent's own change, proven with the current password. Every other session of
    the agent is closed (a stolen token dies with the old password); returns how many."""
    agent = db_session.get(Agent, actor.agent_id) if actor.agent_id else None
    if agent is None or not verify_password(agent.password_hash, current_password):
        raise WrongCurrentPassword("Mot de passe actuel incorrect", field="current_password")
    if current_password == new_password:
        raise InvalidInput("Le nouveau mot de passe doit être différent de l'actuel",
                           field="new_password")
    try:
        check_new_password(new_password, username=agent.username)
    except InvalidInput as error:
        error.extra["field"] = "new_password"
        raise
    agent.password_hash = hash_password(new_password)
    agent.must_change_password = False  # the agent's own: the only way to clear it
    # Not cleared: whoever knew the current password can sign in as the agent and make
    # this very change, so it proves nothing. A grant's approval revokes it (changes).
    previous = (f" ; le précédent était connu de {agent.password_set_by}, qui a pu "
                "faire ce changement lui-même" if agent.password_set_by else "")
    record_agent_change(db_session=db_session, author=actor, subject=agent.username,
                        detail=f"Mot de passe changé par l'agent{previous}")
    closed = db_session.execute(
        update(AgentSession).where(
            AgentSession.agent_id == agent.id, AgentSession.revoked_at.is_(None),
            AgentSession.token_hash != token_digest(token),
        ).values(revoked_at=utcnow())
    )
    db_session.flush()
    return closed.rowcount or 0  # type: ignore[attr-defined]


def revoke_token(*, db_session: Session, token: str) -> None:
    session = db_session.get(AgentSession, token_digest(token))
    if session is not None and session.revoked_at is None:
        session.revoked_at = utcnow()
        db_session.flush()


def get_agent(*, db_session: Session, agent_id: uuid.UUID) -> Agent:
    agent = db_session.get(Agent, agent_id)
    if agent is None:
        raise NotFound("Agent introuvable")
    return agent
