from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.agents.enums import RequestStatus, Role, SiteKind
from crm_core.database.base import Base, Timestamps, UUIDPrimaryKey, enum_column, utcnow


class Site(UUIDPrimaryKey, Base):
    __tablename__ = "site"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[SiteKind] = mapped_column(enum_column(SiteKind))
    insee_code: Mapped[str | None] = mapped_column(String(5))
    address: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class Agent(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "agent"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    phone_extension: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    # Who set the current password when it was not the agent (an admin's username,
    # "console"): they could sign in as the agent. None once the agent chose their own.
    password_set_by: Mapped[str | None] = mapped_column(String(64))
    # The password was typed at the console (`relais agent add`): its sessions can do
    # nothing but change it. Only the agent's own change clears it.
    must_change_password: Mapped[bool] = mapped_column(default=False,
                                                       server_default=false())
    # A one-time activation code (`activation.py`), stored as its SHA-256: the agent sets
    # their own password with it. Who it was handed to, and until when it works.
    activation_hash: Mapped[str | None] = mapped_column(String(64))
    activation_for: Mapped[str | None] = mapped_column(String(64))
    activation_expires_at: Mapped[datetime | None]

    site: Mapped[Site | None] = relationship()


class AgentSession(Base):
    """A bearer token, stored only as its SHA-256 so a database leak yields no live token."""

    __tablename__ = "agent_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"), index=True)
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # Last request seen (to the minute): sessions left unused expire (inactivity timeout).
    last_seen_at: Mapped[datetime | None]


class AgentRequest(UUIDPrimaryKey, Base):
    """A change of an agent that would give access to residents' data (a front-office role,
    every site instead of one, reactivation, a password set by someone else): held here
    until a supervisor other than its author and than the agent approves it (four eyes)."""

    __tablename__ = "agent_request"

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    author: Mapped[str] = mapped_column(String(64))  # a username, or "console"
    # The state asked for, applied as a whole on approval (and the agent made active)...
    role: Mapped[Role] = mapped_column(enum_column(Role))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    # The password is revoked on approval, and an activation code handed to the approver.
    resets_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # ...only if the agent's access is still what it was when the request was filed: a
    # digest of role, site, activity and password (`changes.access_state`). None: filed
    # before it was kept, never approved.
    filed_against: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(500))
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus),
                                                  default=RequestStatus.PENDING)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
