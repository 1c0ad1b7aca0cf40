"""Changes of agents' accounts, with four eyes on access to residents' data.

Admins run accounts but do not read residents' files. Without a second pair of eyes, an
admin could still read them by proxy: create (or promote, or reset the password of) a
front-office account and sign in as it. So a change that *grants* residents' data — a role
with more of it than the agent holds, every site instead of one, reactivating an account, a
password set by someone else than the agent — is only filed as an `AgentRequest`; it takes
effect when a supervisor who is neither its author nor the agent concerned approves it.
Changes that only take away (deactivation, a narrower role, a name, one site for another,
an extension) apply at once. Every change, filed, applied, approved, refused or superseded,
is a security event naming its author. The console (`relais agent add`) is trusted:
whoever runs it already holds the server and its database.

A request is approved against the account as it was when filed (`access_state`): a change
of its role, site, activity or password since then — applied at once, by the agent
themselves, by another request — makes it stale, never applied. A request's summary says
all its approval grants (`describe_request`); an inactive account's role and site only
narrow until then, so that what it could do when last active stays known.

Passwords: an admin never sets one (`activation.py`). A creation or a reset leaves the
account without a usable password; a code is issued to whoever takes the account on — the
approver of a grant of residents' data, or the admin at once for an account that reads
none. A reset of an account that reads residents' data (or is about to) waits for a
supervisor, in one request with what is pending; an approval that grants residents' data
to an account whose password someone else knew (`password_set_by`) revokes it too, and
the approver gets the code. An admin's reset of their own password is refused: their own
change (`POST /auth/password`) proves the current one and counts wrong ones.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents import activation, service
from crm_core.agents.actor import Actor
from crm_core.agents.enums import (
    RESIDENT_DATA,
    ROLE_LABELS,
    ROLE_PERMISSIONS,
    RequestStatus,
    Role,
)
from crm_core.agents.models import Agent, AgentRequest
from crm_core.agents.security import NO_PASSWORD
from crm_core.agents.wording import (
    access_diff,
    describe_request,
    never_active,
    record_agent_change,
    site_label,
)
from crm_core.database.base import utcnow
from crm_core.exceptions import Conflict, InvalidInput, PermissionDenied
from crm_core.text import clean_display, name_problem

UNCHANGED: Any = object()
DISPLAY_NAME_MAX = 120  # the column's length
CODE_LIFE = timedelta(hours=72)  # the default of `Settings.activation_code_hours`


@dataclass(frozen=True, slots=True)
class Handover:
    """An activation code, to be shown once to whoever it was issued to."""

    code: str
    expires_at: datetime


class OwnPasswordReset(PermissionDenied):
    code = "own_password_reset"


def access_state(agent: Agent) -> str:
    """A digest of what an approval relies on: role, site, activity and password."""
    state = f"{agent.role.value}|{agent.site_id}|{agent.active}|{agent.password_hash}"
    return hashlib.sha256(state.encode()).hexdigest()


def reaches_data(role: Role, active: bool = True) -> frozenset[Any]:
    return ROLE_PERMISSIONS[role] & RESIDENT_DATA if active else frozenset()


def _widens(agent: Agent, role: Role, site_id: uuid.UUID | None) -> bool:
    """Whether `role` and `site_id` read more residents than the account's own would."""
    if not reaches_data(role):
        return False  # an admin account reads no resident
    widens_site = agent.site_id is not None and site_id is None  # one site -> every site
    return not reaches_data(role) <= reaches_data(agent.role) or widens_site


def _needs_approval(agent: Agent | None, role: Role, site_id: uuid.UUID | None,
                    password_set: bool) -> bool:
    if not reaches_data(role):
        return False
    if agent is None or not agent.active or password_set:
        return True
    return _widens(agent, role, site_id)


def record_event(db_session: Session, author: Actor, agent: Agent, detail: str) -> None:
    record_agent_change(db_session=db_session, author=author, subject=agent.username,
                        detail=detail)  # « (par …) » at the end, as every agent change


def check_extension(db_session: Session, agent_id: uuid.UUID | None,
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


def _open_request(db_session: Session, agent_id: uuid.UUID) -> AgentRequest | None:
    return db_session.scalar(select(AgentRequest).where(
        AgentRequest.agent_id == agent_id, AgentRequest.status == RequestStatus.PENDING,
    ).order_by(AgentRequest.requested_at.desc()).limit(1))


def _supersede(db_session: Session, author: Actor, agent: Agent, why: str) -> None:
    """Closes the agent's pending requests, each a security event: nothing disappears
    from the supervisors' list without a trace of who made it go."""
    pending = db_session.scalars(select(AgentRequest).where(
        AgentRequest.agent_id == agent.id, AgentRequest.status == RequestStatus.PENDING))
    for request in pending:
        request.status, request.decided_at = RequestStatus.SUPERSEDED, utcnow()
        request.decided_by_id = author.agent_id
        record_event(db_session, author, agent,
                     f"Demande de {request.author} remplacée ({why}) : {request.summary}")


def _file(db_session: Session, author: Actor, agent: Agent, role: Role,
          site_id: uuid.UUID | None, resets: bool, summary: str) -> AgentRequest:
    _supersede(db_session, author, agent, f"nouvelle demande de {author.username}")
    request = AgentRequest(agent_id=agent.id, requested_by_id=author.agent_id,
                           author=author.username[:64], role=role, site_id=site_id,
                           resets_password=resets, summary=summary[:500],
                           filed_against=access_state(agent))
    db_session.add(request)
    db_session.flush()
    record_event(db_session, author, agent,
                 f"{summary} : en attente de validation par un responsable")
    return request


def create(
    *, db_session: Session, author: Actor, username: str, display_name: str, role: Role,
    password: str | None = None, site_code: str | None = None,
    phone_extension: str | None = None, valid_for: timedelta = CODE_LIFE, timezone: str,
) -> tuple[Agent, AgentRequest | None, Handover | None]:
    """A new account without a usable password. One that would read residents' data stays
    inactive until approved (the approver gets its code); another gets its code at once.
    Only the console (trusted) gives a password, which must be changed first."""
    if password is not None and author.agent_id is not None:
        raise PermissionDenied("Un administrateur ne choisit pas le mot de passe d'un agent : "
                               "l'agent le choisit avec un code d'activation")
    site = service.get_site_by_code(db_session=db_session, code=site_code) if site_code else None
    check_extension(db_session, None, phone_extension)
    display_name = check_display_name(display_name)  # the console's way in too
    agent = service.create_agent(
        db_session=db_session, username=username, display_name=display_name,
        password=password, role=role, site_code=site_code, phone_extension=phone_extension)
    # Typed at the console (trusted: it holds the database): the agent replaces it first.
    agent.must_change_password = password is not None
    where = site_label(db_session, site.id if site else None)
    what = f"Compte « {agent.display_name} » créé : rôle {ROLE_LABELS[role]}, site {where}"
    if author.agent_id is None or not _needs_approval(None, role, agent.site_id, False):
        record_event(db_session, author, agent, what)
        return agent, None, hand_over(db_session, author, agent, valid_for, timezone)
    agent.active = False
    what = describe_request(db_session, agent, role, agent.site_id, fresh=True)
    return agent, _file(db_session, author, agent, role, agent.site_id, False, what), None


def hand_over(db_session: Session, author: Actor, agent: Agent,
              valid_for: timedelta, timezone: str) -> Handover | None:
    """A code for an account with no usable password, shown to `author`."""
    if agent.password_hash != NO_PASSWORD or not agent.active:
        return None
    return Handover(*activation.issue(db_session=db_session, author=author, agent=agent,
                                      valid_for=valid_for, timezone=timezone))


def check_display_name(text: str) -> str:
    """An agent's name as colleagues and residents see it (desks, tickets, logs), tidied,
    or a French `InvalidInput`: the rules of residents' names (`crm_core/text.py`)."""
    name = clean_display(text)
    if not name:
        raise InvalidInput("Nom affiché vide", field="display_name")
    if (problem := name_problem(text)) is not None:  # as typed: a line break is refused too
        raise InvalidInput(f"Nom affiché refusé : {problem}", field="display_name")
    if len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput(f"Nom affiché trop long ({DISPLAY_NAME_MAX} caractères au plus)",
                           field="display_name")
    return name


def _set_plain_fields(db_session: Session, agent: Agent, display_name: Any,
                      phone_extension: Any) -> list[str]:
    """The name and the extension (no access in them): old → new, for the event."""
    done = []
    if display_name is not UNCHANGED:
        display_name = check_display_name(display_name)
        if display_name != agent.display_name:
            done.append(f"nom affiché « {agent.display_name} » → « {display_name} »")
            agent.display_name = display_name
    if phone_extension is not UNCHANGED and phone_extension != agent.phone_extension:
        check_extension(db_session, agent.id, phone_extension)
        done.append(f"poste {agent.phone_extension or 'aucun'} → {phone_extension or 'aucun'}")
        agent.phone_extension = phone_extension
    return done


def change(
    *, db_session: Session, author: Actor, agent_id: uuid.UUID, display_name: Any = UNCHANGED,
    role: Any = UNCHANGED, site_code: Any = UNCHANGED, phone_extension: Any = UNCHANGED,
    active: Any = UNCHANGED,
) -> tuple[Agent, AgentRequest | None]:
    """Applies what takes away at once; files what grants (see the module's docstring)."""
    agent = service.get_agent(db_session=db_session, agent_id=agent_id)
    before = access_state(agent)
    done = _set_plain_fields(db_session, agent, display_name, phone_extension)
    if active is False and agent.active:
        agent.active = False
        activation.close_access(db_session, agent, voided_by=author)  # its code too
        done.append("compte désactivé")
    new_role = agent.role if role is UNCHANGED else Role(role)
    new_site = agent.site_id
    if site_code is not UNCHANGED:
        new_site = (service.get_site_by_code(db_session=db_session, code=site_code).id
                    if site_code else None)
    reactivate = active is True and not agent.active
    request = None
    if new_role != agent.role or new_site != agent.site_id or reactivate:
        request = _change_access(db_session, author, agent, new_role, new_site, reactivate,
                                 done)
    if request is None and access_state(agent) != before:
        # What a pending request was filed against is gone: approving it would undo this.
        _supersede(db_session, author, agent, "le compte a été modifié depuis")
    if done:
        record_event(db_session, author, agent, "Compte modifié : " + ", ".join(done))
    db_session.flush()
    return agent, request


def _change_access(db_session: Session, author: Actor, agent: Agent, role: Role,
                   site_id: uuid.UUID | None, reactivate: bool,
                   done: list[str]) -> AgentRequest | None:
    """Applies a change of role, site or activity, or files it. An inactive account keeps
    the role and site it had when last active unless they narrow: a wider one waits, with
    the reactivation, so that a request always shows all it grants (issue 20: promoted
    while inactive, then « réactivation » alone was asked for)."""
    fresh = never_active(db_session, agent)
    pending = _open_request(db_session, agent.id)
    console = author.agent_id is None  # trusted: it holds the server already
    if console or fresh or not (reactivate or _widens(agent, role, site_id)):
        # A never-active account reads nothing yet: its role and site change at once,
        # and its creation request, if pending, is filed anew with them.
        done.extend(access_diff(db_session, agent, role, site_id))
        agent.role, agent.site_id = role, site_id
        if console and reactivate:
            agent.active = True
            done.append("réactivation")
        if console or not fresh or not (pending or reactivate):
            return None
    reset_by = pending.author if pending is not None and pending.resets_password else None
    what = describe_request(db_session, agent, role, site_id, fresh=fresh, reset_by=reset_by)
    return _file(db_session, author, agent, role, site_id, reset_by is not None, what)


def reset_password(
    *, db_session: Session, author: Actor, agent_id: uuid.UUID,
    valid_for: timedelta = CODE_LIFE, timezone: str,
) -> tuple[Agent, AgentRequest | None, Handover | None]:
    """Revokes a colleague's lost password; they set a new one with an activation code.
    For an account with residents' data — or about to get it, a request being pending —
    it waits for a supervisor, in one request with what is pending: the approver gets the
    code. Otherwise applied at once, the code shown to the admin (an inactive account gets
    none: its reactivation's approver will)."""
    agent = service.get_agent(db_session=db_session, agent_id=agent_id)
    if author.agent_id is not None and author.agent_id == agent.id:
        raise OwnPasswordReset(
            "Vous ne pouvez pas réinitialiser votre propre mot de passe : changez-le en "
            "donnant l'actuel (POST /api/v1/auth/password, ou « relais password »)")
    pending = _open_request(db_session, agent.id)
    held = pending is not None or (
        agent.active and _needs_approval(agent, agent.role, agent.site_id, True))
    if author.agent_id is not None and held:
        role, site_id = agent.role, agent.site_id
        if pending is not None:
            role, site_id = pending.role, pending.site_id
        summary = describe_request(db_session, agent, role, site_id,
                            fresh=never_active(db_session, agent), reset_by=author.username)
        return agent, _file(db_session, author, agent, role, site_id, True, summary), None
    activation.revoke_password(db_session, agent, voided_by=author)
    agent.password_set_by = None  # nobody knows the next one yet
    _supersede(db_session, author, agent, "mot de passe réinitialisé depuis")  # the console
    record_event(db_session, author, agent, "Mot de passe révoqué, sessions fermées")
    return agent, None, hand_over(db_session, author, agent, valid_for, timezone)
