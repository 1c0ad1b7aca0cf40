from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.channels import Channel
from crm_core.database.base import Base, Timestamps, UUIDPrimaryKey, enum_column, utcnow

if TYPE_CHECKING:
    from crm_core.interactions.models import Interaction


class Service(UUIDPrimaryKey, Base):
    """A theme of public service (état civil, propreté...) with its announced delay."""

    __tablename__ = "service"

    code: Mapped[str] = mapped_column(String(50), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    announced_delay_days: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)


class Case(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "case"
    __table_args__ = (
        UniqueConstraint("external_system", "external_id"),
        Index("ix_case_resident_status", "resident_id", "status"),
    )

    reference: Mapped[str] = mapped_column(String(16), unique=True)
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"), index=True)
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind), default=CaseKind.REQUEST)
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus), default=CaseStatus.NEW)
    origin_channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    external_system: Mapped[str | None] = mapped_column(String(50))
    external_id: Mapped[str | None] = mapped_column(String(255))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    opened_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    # Set by clients that retry (the counter's offline journal): opened once only.
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)

    service: Mapped[Service] = relationship(lazy="joined")
    history: Mapped[list[CaseStatusChange]] = relationship(
        back_populates="case", order_by="CaseStatusChange.changed_at"
    )


class CaseStatusChange(UUIDPrimaryKey, Base):
    """Every status a case went through, who moved it, on which channel."""

    __tablename__ = "case_status_change"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"), index=True)
    from_status: Mapped[CaseStatus | None] = mapped_column(enum_column(CaseStatus))
    to_status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interaction.id"))
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="history")
    # For the unit of work's order (the exchange first); never loaded by the code.
    interaction: Mapped[Interaction | None] = relationship(lazy="raise")
