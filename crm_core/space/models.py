"""Resident web sessions and the rights requests filed from the space."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.database.base import Base, UUIDPrimaryKey, enum_column, utcnow
from crm_core.space.enums import PrivacyRequestKind, PrivacyRequestStatus


class ResidentSession(Base):
    """A signed-in browser, known by the SHA-256 of its cookie only (a database leak
    yields no live session). `resident_id` is empty while the online account awaits the
    person's confirmation of the proposed file. Any server process can check it."""

    __tablename__ = "resident_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    resident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resident.id"),
                                                          index=True)
    provider: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]


_OPEN = text("status = 'open'")


class PrivacyRequest(UUIDPrimaryKey, Base):
    """A resident asks for rectification or erasure; a supervisor handles it."""

    __tablename__ = "privacy_request"
    __table_args__ = (
        Index("ix_privacy_request_status_filed", "status", "filed_at"),
        # One open request of each kind per resident: a second is answered by the first
        # (`rights.file_request`), two sent at the same instant too (the loser's insert).
        Index("uq_privacy_request_open_kind", "resident_id", "kind", unique=True,
              sqlite_where=_OPEN, postgresql_where=_OPEN),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    kind: Mapped[PrivacyRequestKind] = mapped_column(enum_column(PrivacyRequestKind))
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[PrivacyRequestStatus] = mapped_column(
        enum_column(PrivacyRequestStatus), default=PrivacyRequestStatus.OPEN)
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    answer: Mapped[str | None] = mapped_column(String(500))

