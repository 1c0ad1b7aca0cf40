from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.channels import Channel
from crm_core.database.base import Base, Timestamps, UUIDPrimaryKey, enum_column, utcnow
from crm_core.residents.enums import ContactKind, ResidentStatus


class Resident(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "resident"

    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    birth_name: Mapped[str | None] = mapped_column(String(100))
    # Accent- and case-folded copies for exact and prefix search on both engines.
    given_name_key: Mapped[str] = mapped_column(String(100), index=True)
    family_name_key: Mapped[str] = mapped_column(String(100), index=True)
    birth_date: Mapped[date | None] = mapped_column(index=True)
    address_line: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    insee_code: Mapped[str | None] = mapped_column(String(5), index=True)
    status: Mapped[ResidentStatus] = mapped_column(
        enum_column(ResidentStatus), default=ResidentStatus.ACTIVE
    )
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resident.id"))

    contact_points: Mapped[list[ContactPoint]] = relationship(
        back_populates="resident", order_by="ContactPoint.created_at"
    )
    account_links: Mapped[list[AccountLink]] = relationship(back_populates="resident")


class ContactPoint(UUIDPrimaryKey, Base):
    __tablename__ = "contact_point"
    __table_args__ = (Index("ix_contact_point_kind_value", "kind", "value"),)

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind))
    # Normalised: E.164 for phones, case-folded address for e-mails, one line for postal.
    value: Mapped[str] = mapped_column(String(320))
    label: Mapped[str | None] = mapped_column(String(50))
    verified: Mapped[bool] = mapped_column(default=False)
    # Kept for contact: this point may be used for the ways the resident consented to.
    # Never a consent on its own (consent/contactability.py, docs/consent.md).
    contact_allowed: Mapped[bool] = mapped_column(default=False)
    source_channel: Mapped[Channel | None] = mapped_column(enum_column(Channel))
    created_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident: Mapped[Resident] = relationship(back_populates="contact_points")


class AccountLink(UUIDPrimaryKey, Base):
    """A subject of the online account (OIDC) bound to one resident."""

    __tablename__ = "account_link"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    provider: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    # Where the link was made (web sign-in, or an agent at the counter or on the phone).
    source_channel: Mapped[Channel | None] = mapped_column(enum_column(Channel))

    resident: Mapped[Resident] = relationship(back_populates="account_links")
