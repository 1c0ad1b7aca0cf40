from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.badges.enums import BadgeKind
from crm_core.database.base import Base, enum_column, utcnow


class Badge(Base):
    """A QR badge or a contactless card bound to a resident. Holds nothing personal:
    the id is random, a card's UID is stored only as a keyed hash."""

    __tablename__ = "badge"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # 128 random bits, hex
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    kind: Mapped[BadgeKind] = mapped_column(enum_column(BadgeKind))
    key_id: Mapped[str | None] = mapped_column(String(8))
    card_uid_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    issued_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    revoked_reason: Mapped[str | None] = mapped_column(String(200))
    # A card UID alone can be cloned: its first use at a counter is confirmed by an agent.
    confirmed_at: Mapped[datetime | None]
    confirmed_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    last_used_at: Mapped[datetime | None]
