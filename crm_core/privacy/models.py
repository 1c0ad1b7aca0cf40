from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.database.base import Base, enum_column, utcnow
from crm_core.interactions.enums import Channel
from crm_core.privacy.enums import AccessOperation


class AccessLog(Base):
    """Who read or changed a resident's file, when, from where. Append-only."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_resident_at", "resident_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"))
    operation: Mapped[AccessOperation] = mapped_column(enum_column(AccessOperation))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    channel: Mapped[Channel | None] = mapped_column(enum_column(Channel))
    reason: Mapped[str | None] = mapped_column(String(200))
