from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.channels import Channel
from crm_core.database.base import Base, UUIDPrimaryKey, enum_column, utcnow
from crm_core.interactions.enums import Direction, Outcome


class Interaction(UUIDPrimaryKey, Base):
    """One exchange with a resident on one channel."""

    __tablename__ = "interaction"
    __table_args__ = (Index("ix_interaction_resident_occurred", "resident_id", "occurred_at"),)

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case.id"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    direction: Mapped[Direction] = mapped_column(
        enum_column(Direction), default=Direction.INBOUND
    )
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    note: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    # Set by clients that retry (offline counter journal, webhooks): recorded once only.
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
