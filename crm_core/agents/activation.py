"""One-time activation codes: how an agent gets a password nobody else ever knew.

An admin never sets the password of an account (issue 20: whoever sets it can sign in as
the agent before they do). Creating an account or resetting its password leaves it with
no usable password; the server then issues a random code, shown once to whoever takes
the account on — the supervisor who approved a grant of residents' data, or the admin for
an account that reads none — stored as its SHA-256, expiring, single use. The agent sets
their own password with it (`POST /auth/activate`, `relais password --code`). Whoever
handed the code over could use it first: for an account that reads residents' files, that
is the approving supervisor, who reads them already. For an admin, the admin it was shown
to is remembered in `password_set_by`, so that a later grant of residents' data revokes
that password again and gives a new code to its approver. Every issue, use and expiry of
a code is a security event naming its author.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import RESIDENT_DATA, ROLE_PERMISSIONS
from crm_core.agents.models import Agent, AgentSession
from crm_core.agents.passwords import check_new_password
from crm_core.agents.security import NO_PASSWORD, hash_password
from crm_core.agents.wording import record_agent_change
from crm_core.database.base import utcnow
from crm_core.exceptions import InvalidInput, NotAuthenticated

# No 0/O, 1/I/L: read aloud or copied from a screen without doubt. 12 of 31: ~59 bits,
# against a handful of tries before the sign-in lock-out.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_LENGTH = 12


def _digest(code: str) -> str:
    folded = "".join(char for char in code.upper() if char.isalnum())
    return hashlib.sha256(folded.encode()).hexdigest()


def reads_residents(agent: Agent | None) -> bool:
    return agent is not None and bool(ROLE_PERMISSIONS[agent.role] & RESIDENT_DATA)


def void_code(db_session: Session, agent: Agent, author: Actor) -> None:
    """A code never used, made void by `author`'s act (a deactivation, a new code): said
    in the journal, as its issuance was, so that no code vanishes unrecorded."""
    if agent.activation_hash is not None:
        record_agent_change(
            db_session=db_session, author=author, subject=agent.username,
            detail=f"Code d'activation remis à {agent.activation_for or '?'} annulé, non utilisé")


def close_access(db_session: Session, agent: Agent, voided_by: Actor | None = None) -> None:
    """No live session, no code (a deactivation, a revoked password); `voided_by` says in
    the journal that an unused code went (None: the code was just used)."""
    if voided_by is not None:
        void_code(db_session, agent, voided_by)
    agent.activation_hash = agent.activation_for = agent.activation_expires_at = None
    db_session.execute(update(AgentSession).where(
        AgentSession.agent_id == agent.id, AgentSession.revoked_at.is_(None),
    ).values(revoked_at=utcnow()))


def revoke_password(db_session: Session, agent: Agent, voided_by: Actor | None = None) -> None:
    """No usable password, no live session, no code: the account waits for a new code."""
    agent.password_hash, agent.must_change_password = NO_PASSWORD, False
    close_access(db_session, agent, voided_by)


def _local(moment: datetime, timezone: str) -> str:
    """The city's wall-clock time (`timezone`), as its agents read the journal."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y à %H:%M")


def issue(*, db_session: Session, author: Actor, agent: Agent, valid_for: timedelta,
          timezone: str, now: datetime | None = None) -> tuple[str, datetime]:
    """A new code for `agent`, shown to `author` only (the caller returns it once); any
    former code stops working. The account's password is revoked first by the caller."""
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    code = "-".join(code[i:i + 4] for i in range(0, _LENGTH, 4))
    expires = (now or utcnow()) + valid_for
    void_code(db_session, agent, author)
    agent.activation_hash, agent.activation_for = _digest(code), author.username[:64]
    agent.activation_expires_at = expires
    record_agent_change(
        db_session=db_session, author=author, subject=agent.username,
        detail=f"Code d'activation remis à {author.username}, valable jusqu'au "
               f"{_local(expires, timezone)} : l'agent choisit son mot de passe avec ce code")
    db_session.flush()
    return code, expires


class ExpiredCode(NotAuthenticated):
    code = "activation_expired"


def activate(*, db_session: Session, username: str, code: str, new_password: str,
             now: datetime | None = None) -> Agent:
    """The agent sets their password with the code. A wrong code is `NotAuthenticated`
    (the caller counts it like a failed sign-in); a right one past its time, `ExpiredCode`
    (flushed: the caller commits the event)."""
    now = now or utcnow()
    agent = db_session.scalar(select(Agent).where(Agent.username == username.strip().lower()))
    stored = agent.activation_hash if agent is not None else None
    if (agent is None or not agent.active or stored is None
            or not hmac.compare_digest(stored, _digest(code))):
        raise NotAuthenticated("Identifiant ou code d'activation incorrect")
    self = Actor(username=agent.username, agent_id=agent.id, role=agent.role,
                 site_id=agent.site_id)
    holder = agent.activation_for or "?"
    if agent.activation_expires_at is None or agent.activation_expires_at <= now:
        agent.activation_hash = agent.activation_for = agent.activation_expires_at = None
        record_agent_change(db_session=db_session, author=self, subject=agent.username,
                            detail=f"Code d'activation remis à {holder} expiré, non utilisé")
        db_session.flush()
        raise ExpiredCode("Code d'activation expiré : demandez à un administrateur de "
                          "réinitialiser votre mot de passe pour en recevoir un nouveau")
    try:
        check_new_password(new_password, username=agent.username)
    except InvalidInput as error:
        error.extra["field"] = "new_password"
        raise
    revoke_password(db_session, agent)
    agent.password_hash = hash_password(new_password)
    # Whoever was shown the code could have used it: harmless if they read residents'
    # files already; otherwise remembered, so that a grant of them revokes it again.
    shown_to = db_session.scalar(select(Agent).where(Agent.username == holder))
    agent.password_set_by = None if reads_residents(shown_to) else holder[:64]
    record_agent_change(db_session=db_session, author=self, subject=agent.username,
                        detail=f"Mot de passe choisi avec le code d'activation remis à {holder}")
    db_session.flush()
    return agent
