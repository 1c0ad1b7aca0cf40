"""Reminders left « envoi en cours »: claimed by a `send` run that died before writing
the outcome (a crash, a kill, the machine stopping) between the claim and the result.

`send_due` claims a delivery and commits before its message leaves, so that a run dying
after the send never sends it twice. The price is that such a delivery stays claimed
forever: nothing retries it. These functions list them and, once they are old enough for
no run to still be sending them, put them back in the queue (failed: the next run retries).
Releasing may send a reminder twice if the message had in fact left before the crash: an
operator's choice, made after reading the list, never an automatic one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crm_core.reminders.enums import DeliveryStatus, ReminderChannel
from crm_core.reminders.models import (
    ReminderBundle,
    ReminderDate,
    ReminderDelivery,
    ReminderSubscription,
)
from crm_core.reminders.service import CLAIMED

RELEASED = "envoi interrompu, remis en file"


@dataclass(frozen=True)
class StuckDelivery:
    delivery_id: uuid.UUID
    resident_id: uuid.UUID
    bundle: str
    title: str
    occurs_on: date
    channel: ReminderChannel
    claimed_at: datetime


def _stuck() -> Select[ReminderDelivery]:
    return select(ReminderDelivery).where(
        ReminderDelivery.status == DeliveryStatus.SENT,
        ReminderDelivery.detail == CLAIMED,
        ReminderDelivery.interaction_id.is_(None),
    )


def stuck_deliveries(*, db_session: Session) -> list[StuckDelivery]:
    """Every delivery claimed and never finished, oldest claim first."""
    rows = db_session.execute(
        select(ReminderDelivery.id, ReminderSubscription.resident_id, ReminderBundle.label,
               ReminderDate.title, ReminderDate.occurs_on, ReminderSubscription.channel,
               ReminderDelivery.attempted_at)
        .join(ReminderSubscription,
              ReminderSubscription.id == ReminderDelivery.subscription_id)
        .join(ReminderDate, ReminderDate.id == ReminderDelivery.reminder_date_id)
        .join(ReminderBundle, ReminderBundle.id == ReminderDate.bundle_id)
        .where(ReminderDelivery.id.in_(_stuck().with_only_columns(ReminderDelivery.id)))
        .order_by(ReminderDelivery.attempted_at, ReminderDelivery.id)
    ).all()
    return [StuckDelivery(*row) for row in rows]


def release_stuck(*, db_session: Session, claimed_before: datetime) -> int:
    """Put back in the queue the deliveries claimed before `claimed_before` (a run still
    sending has claimed later): marked failed, so the next `send` retries them."""
    released = db_session.scalars(
        _stuck().where(ReminderDelivery.attempted_at < claimed_before)).all()
    for delivery in released:
        delivery.status, delivery.detail = DeliveryStatus.FAILED, RELEASED
    db_session.flush()
    return len(released)
