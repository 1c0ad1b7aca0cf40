"""Reminder bundles: the city configures themes and key dates; residents opt in per bundle
and channel, and out at any time; `send_due` sends what is due, once, to those who agreed.

Subscribing is an opt-in to reminders (the `reminders` consent is recorded yes if it was
not); withdrawing that consent stops every bundle at once. A reminder also needs the
resident's consent to that way (`contact_email`, `contact_sms`) and a contact point kept for
contact: `consent.contactability`, the answer every screen shows. Each reminder
sent is an outbound exchange on the resident's timeline.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.channels import Channel
from crm_core.config import Settings
from crm_core.consent.contactability import ContactWay, point_for
from crm_core.consent.service import may_contact, set_consent
from crm_core.exceptions import Conflict, InvalidInput, NotFound
from crm_core.interactions.enums import Direction, Outcome
from crm_core.interactions.models import Interaction
from crm_core.privacy.enums import AccessOperation, ConsentPurpose, ConsentSource
from crm_core.privacy.service import record_access
from crm_core.reminders.backends import DeliveryFailed, Email, EmailBackend, Sms, SmsBackend
from crm_core.reminders.enums import DeliveryStatus, ReminderChannel
from crm_core.reminders.links import opt_out_token
from crm_core.reminders.models import (
    ReminderBundle,
    ReminderDate,
    ReminderDelivery,
    ReminderSubscription,
)
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import Resident
from crm_core.residents.service import writable_id
from crm_core.text import echoed

_WAY = {ReminderChannel.EMAIL: ContactWay.EMAIL, ReminderChannel.SMS: ContactWay.SMS}
_TIMELINE_CHANNEL = {ReminderChannel.EMAIL: Channel.EMAIL, ReminderChannel.SMS: Channel.SMS}


class BundleNotFound(NotFound):
    code = "reminder_bundle_not_found"


def get_bundle(*, db_session: Session, code: str) -> ReminderBundle:
    bundle = db_session.scalar(select(ReminderBundle).where(ReminderBundle.code == code))
    if bundle is None:
        raise BundleNotFound(f"Aucun bouquet de rappels « {echoed(code)} »")
    return bundle


def list_bundles(*, db_session: Session) -> list[ReminderBundle]:
    return list(db_session.scalars(
        select(ReminderBundle).where(ReminderBundle.active).order_by(ReminderBundle.label)))


def create_bundle(*, db_session: Session, code: str, label: str,
                  description: str | None = None) -> ReminderBundle:
    if db_session.scalar(select(ReminderBundle.id).where(ReminderBundle.code == code)):
        raise Conflict(f"Le bouquet « {code} » existe déjà", field="code")
    bundle = ReminderBundle(code=code, label=label, description=description)
    db_session.add(bundle)
    db_session.flush()
    return bundle


def add_date(*, db_session: Session, code: str, occurs_on: date, title: str, message: str,
             days_before: int = 1) -> ReminderDate:
    bundle = get_bundle(db_session=db_session, code=code)
    if not 0 <= days_before <= 60:
        raise InvalidInput("Le rappel part de 0 à 60 jours avant la date", field="days_before")
    key_date = ReminderDate(bundle_id=bundle.id, occurs_on=occurs_on, title=title,
                            message=message, days_before=days_before)
    db_session.add(key_date)
    db_session.flush()
    return key_date


def active_subscriptions(*, db_session: Session, resident_id: uuid.UUID
                         ) -> list[tuple[ReminderSubscription, ReminderBundle]]:
    rows = db_session.execute(
        select(ReminderSubscription, ReminderBundle)
        .join(ReminderBundle, ReminderBundle.id == ReminderSubscription.bundle_id)
        .where(ReminderSubscription.resident_id == resident_id,
               ReminderSubscription.unsubscribed_at.is_(None))
        .order_by(ReminderBundle.label, ReminderSubscription.channel)
    ).all()
    return [(subscription, bundle) for subscription, bundle in rows]


def subscribe(*, db_session: Session, actor: Actor, resident_id: uuid.UUID, code: str,
              channel: ReminderChannel, source: ConsentSource,
              via: Channel | None = None) -> ReminderSubscription:
    """Opt in; `via` is the channel the resident asked through (their space, the counter,
    the phone...), recorded with the consent it implies (the agent's own when not said)."""
    surviving_id = writable_id(db_session=db_session, resident_id=resident_id)
    bundle = get_bundle(db_session=db_session, code=code)
    for subscription, existing in active_subscriptions(db_session=db_session,
                                                       resident_id=surviving_id):
        if existing.id == bundle.id and subscription.channel == channel:
            return subscription  # already in: nothing changes
    subscription = ReminderSubscription(
        resident_id=surviving_id, bundle_id=bundle.id, channel=channel, subscribed_by=source,
        agent_id=actor.agent_id)
    db_session.add(subscription)
    set_consent(db_session=db_session, actor=actor, resident_id=surviving_id,
                purpose=ConsentPurpose.REMINDERS, granted=True, source=source,
                channel=via, note=f"abonnement : {bundle.label}")
    db_session.flush()
    return subscription


def unsubscribe(*, db_session: Session, actor: Actor, subscription_id: uuid.UUID,
                source: ConsentSource) -> ReminderSubscription:
    subscription = db_session.get(ReminderSubscription, subscription_id)
    if subscription is None:
        raise NotFound("Abonnement introuvable")
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = datetime.now(UTC)
        subscription.unsubscribed_by = source
        if actor.agent_id is not None:
            record_access(db_session=db_session, actor=actor,
                          resident_id=subscription.resident_id,
                          operation=AccessOperation.UPDATE_CONSENT, reason="désabonnement")
        db_session.flush()
    return subscription


# A delivery claimed, its message about to leave: the outcome replaces it. One left over is
# a run that died mid-send (see `crm_core.reminders.stuck`).
CLAIMED = "envoi en cours"


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def _contact(
    db_session: Session, resident_id: uuid.UUID, channel: ReminderChannel
) -> str | None:
    # The same answer the screens show: the way's consent and a point kept for contact.
    return point_for(db_session=db_session, resident_id=resident_id, way=_WAY[channel])


def send_due(*, db_session: Session, settings: Settings, today: date, email: EmailBackend,
             sms: SmsBackend, public_url: str,
             checkpoint: Callable[[], None] = lambda: None) -> SendReport:
    """Send every reminder whose announcement day has come, once per subscription. A
    backend failure is recorded and retried at the next run; the caller commits.

    `checkpoint` is where the caller commits (the CLI does; a test may not): once a
    delivery is claimed, before its message leaves, and once its outcome is written. A
    run that dies after a send thus leaves that reminder claimed ("envoi en cours"),
    never sent again: a resident gets a reminder at most once, not one per run."""
    report = SendReport()
    due = db_session.execute(
        select(ReminderDate, ReminderSubscription)
        .join(ReminderSubscription, ReminderSubscription.bundle_id == ReminderDate.bundle_id)
        .join(Resident, Resident.id == ReminderSubscription.resident_id)
        .where(ReminderDate.occurs_on >= today,
               ReminderDate.occurs_on <= today + timedelta(days=60),
               ReminderSubscription.unsubscribed_at.is_(None),
               Resident.status == ResidentStatus.ACTIVE)
        .order_by(ReminderDate.occurs_on)
    ).all()
    for key_date, subscription in due:
        if key_date.occurs_on - timedelta(days=key_date.days_before) > today:
            continue
        delivery = db_session.scalar(select(ReminderDelivery).where(
            ReminderDelivery.reminder_date_id == key_date.id,
            ReminderDelivery.subscription_id == subscription.id))
        if delivery is not None and delivery.status is not DeliveryStatus.FAILED:
            continue
        delivery = delivery or ReminderDelivery(reminder_date_id=key_date.id,
                                                subscription_id=subscription.id,
                                                status=DeliveryStatus.SKIPPED)
        db_session.add(delivery)
        _deliver(db_session, settings, key_date, subscription, delivery, email, sms,
                 public_url, report, checkpoint)
        db_session.flush()
        checkpoint()
    db_session.flush()
    return report


def _deliver(db_session: Session, settings: Settings, key_date: ReminderDate,
             subscription: ReminderSubscription, delivery: ReminderDelivery,
             email: EmailBackend, sms: SmsBackend, public_url: str, report: SendReport,
             checkpoint: Callable[[], None]) -> None:
    delivery.attempted_at = datetime.now(UTC)
    address = _contact(db_session, subscription.resident_id, subscription.channel)
    if not may_contact(db_session=db_session, resident_id=subscription.resident_id,
                       purpose=ConsentPurpose.REMINDERS) or address is None:
        delivery.status = DeliveryStatus.SKIPPED
        delivery.detail = "pas de consentement" if address else "pas de coordonnée utilisable"
        report.skipped += 1
        return
    link = f"{public_url.rstrip('/')}/rappels/desabonnement?jeton=" + opt_out_token(
        settings, subscription.id)
    when = key_date.occurs_on.strftime("%d/%m/%Y")
    delivery.status, delivery.detail = DeliveryStatus.SENT, CLAIMED
    db_session.flush()
    checkpoint()  # claimed before it leaves: a crash past here never sends it twice
    try:
        if subscription.channel is ReminderChannel.EMAIL:
            email.send(Email(to=address, subject=f"{key_date.title} — {when}",
                             text=f"{key_date.message}\n\n{settings.city_name}\n\n"
                                  f"Ne plus recevoir ce rappel : {link}\n",
                             unsubscribe_url=link))
        else:
            sms.send(Sms(to=address, text=f"{key_date.title} le {when}. {key_date.message}"
                                          f" Stop : {link}"))
    except DeliveryFailed as exc:
        delivery.status, delivery.detail = DeliveryStatus.FAILED, str(exc)[:200]
        report.failed += 1
        report.problems.append(str(exc))
        return
    way = "SMS" if subscription.channel is ReminderChannel.SMS else "courriel"
    interaction = Interaction(
        resident_id=subscription.resident_id, channel=_TIMELINE_CHANNEL[subscription.channel],
        direction=Direction.OUTBOUND, outcome=Outcome.INFORMED,
        note=f"Rappel envoyé ({way}) : {key_date.title} le {when}",
    )
    db_session.add(interaction)
    db_session.flush()
    delivery.status, delivery.detail, delivery.interaction_id = (
        DeliveryStatus.SENT, None, interaction.id)
    report.sent += 1
