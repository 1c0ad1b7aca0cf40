from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.cases.models import Service
from crm_core.database.base import Base, UUIDPrimaryKey, enum_column, utcnow
from crm_core.queue.enums import TicketStatus

_WAITING_WITH_RESIDENT = text("status = 'waiting' AND resident_id IS NOT NULL")


class QueueTicket(UUIDPrimaryKey, Base):
    """A numbered ticket at a site's counters. Numbers restart at 1 each local day.

    Waiting time (issued → called) and service time (called → served) are stored in
    seconds when they become known, so that reports aggregate plain integers.
    """

    __tablename__ = "queue_ticket"
    __table_args__ = (
        UniqueConstraint("site_id", "local_day", "number"),
        Index("ix_queue_ticket_site_day_status", "site_id", "local_day", "status"),
        # A resident waits once: two counters scanning the same badge at the same instant
        # check them in once (the loser of the race is handed the winner's ticket).
        Index("uq_queue_ticket_waiting_resident", "site_id", "local_day", "resident_id",
              unique=True, sqlite_where=_WAITING_WITH_RESIDENT,
              postgresql_where=_WAITING_WITH_RESIDENT),
    )

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    local_day: Mapped[date]
    number: Mapped[int]
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"), index=True)
    resident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resident.id"))
    status: Mapped[TicketStatus] = mapped_column(
        enum_column(TicketStatus), default=TicketStatus.WAITING
    )
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    called_at: Mapped[datetime | None]
    served_at: Mapped[datetime | None]
    called_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    wait_seconds: Mapped[int | None]
    service_seconds: Mapped[int | None]

    service: Mapped[Service] = relationship(lazy="joined")
