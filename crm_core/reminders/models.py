"""Reminder bundles (bouquets de rappels): themes with key dates, residents' opt-ins per
bundle and channel (every opt-in and opt-out kept), and what was sent to whom."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.database.base import Base, UUIDPrimaryKey, enum_column, utcnow
from crm_core.privacy.enums import ConsentSource
from crm_core.reminders.enums import DeliveryStatus, ReminderChannel


class ReminderBundle(UUIDPrimaryKey, Base):
    __tablename__ = "reminder_bundle"

    code: Mapped[str] = mapped_column(String(50), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)


class ReminderDate(UUIDPrimaryKey, Base):
    """A key date of a bundle (collection day, election day...), announced ahead."""

    __tablename__ = "reminder_date"

    bundle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reminder_bundle.id"), index=True)
    occurs_on: Mapped[date] = mapped_column(index=True)
    days_before: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(Text)


class ReminderSubscription(UUIDPrimaryKey, Base):
    """One opt-in to a bundle on a channel; opting out ends it, opting in again starts a
    new one, so the rows are the history."""

    __tablename__ = "reminder_subscription"
    __table_args__ = (Index("ix_reminder_subscription_resident", "resident_id", "bundle_id"),)

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"))
    bundle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reminder_bundle.id"), index=True)
    channel: Mapped[ReminderChannel] = mapped_column(enum_column(ReminderChannel))
    subscribed_at: Mapped[datetime] = mapped_column(default=utcnow)
    subscribed_by: Mapped[ConsentSource] = mapped_column(enum_column(ConsentSource))
    unsubscribed_at: Mapped[datetime | None]
    unsubscribed_by: Mapped[ConsentSource | None] = mapped_column(enum_column(ConsentSource))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))


class ReminderDelivery(UUIDPrimaryKey, Base):
    """One reminder for one subscription: sent once, whatever the number of runs."""

    __tablename__ = "reminder_delivery"
    __table_args__ = (UniqueConstraint("reminder_date_id", "subscription_id"),)

    reminder_date_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reminder_date.id"))
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reminder_subscription.id"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus))
    detail: Mapped[str | None] = mapped_column(String(200))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interaction.id"))
