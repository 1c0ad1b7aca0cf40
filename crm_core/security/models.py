"""Fixed-window counters and security events."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.database.base import Base, UUIDPrimaryKey, enum_column, utcnow
from crm_core.security.enums import Bucket, EventKind


class AbuseCounter(Base):
    """Hits of one key in one window (`window_start`: epoch seconds). Past windows are
    never read again: `relais retention run` deletes them after a day."""

    __tablename__ = "abuse_counter"

    bucket: Mapped[Bucket] = mapped_column(enum_column(Bucket, 40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class SecurityEvent(UUIDPrimaryKey, Base):
    """Something a supervisor or an admin should look at: an account locked after failed
    sign-ins, an agent whose lookups miss like a scan, a platform flooding an endpoint."""

    __tablename__ = "security_event"
    __table_args__ = (Index("ix_security_event_occurred_at", "occurred_at"),)

    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, 40))
    subject: Mapped[str] = mapped_column(String(200))  # a username or a client address
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    detail: Mapped[str] = mapped_column(Text)

