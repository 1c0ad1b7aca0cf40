"""What the resident space reads and changes, always for the signed-in resident only.

The resident acts as `ResidentActor`: no agent, on the web channel, so every consent or
opt-in they change is recorded "by the resident, on the web", and none of their own
actions appears as a consultation by an agent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.badges import service as badges
from crm_core.badges.enums import BadgeKind, BadgeStatus
from crm_core.badges.models import Badge
from crm_core.badges.schemas import BadgeCreate
from crm_core.cases.models import Case, CaseStatusChange, Service
from crm_core.cases.reference import format_reference
from crm_core.channels import Channel
from crm_core.config import Settings
from crm_core.database.base import utcnow
from crm_core.exceptions import Conflict, NotFound
from crm_core.interactions.models import Interaction
from crm_core.residents.models import Resident

BADGES_PER_DAY = 10


class ResidentActor(Actor):
    """The resident themself, in their space: no agent, always the web channel."""

    __slots__ = ()

    @property
    def channel(self) -> Channel | None:
        return Channel.WEB


def actor_for(resident_id: uuid.UUID) -> Actor:
    return ResidentActor(username=f"usager:{resident_id}")


class NotYours(NotFound):
    """Unknown, or another resident's: the same answer, so nothing leaks."""

    code = "not_found"


@dataclass
class TimelineEntry:
    at: datetime
    channel: str
    what: str
    note: str | None = None


@dataclass
class CaseView:
    reference: str
    service: str
    subject: str
    status: str
    origin_channel: str
    opened_at: datetime
    due_date: Any
    external: bool
    timeline: list[TimelineEntry] = field(default_factory=list)


def my_requests(*, db_session: Session, resident_id: uuid.UUID
                ) -> tuple[list[CaseView], list[TimelineEntry]]:
    """Every request of the resident, whatever the channel, each with its timeline (status
    changes and exchanges, oldest first), and the exchanges tied to no request."""
    from crm_core.space.labels import CASE_STATUSES, CHANNELS, DIRECTIONS, OUTCOMES, label

    rows = db_session.execute(
        select(Case.id, Case.reference, Service.label, Case.subject, Case.status,
               Case.origin_channel, Case.opened_at, Case.due_date, Case.external_system)
        .join(Service, Service.id == Case.service_id)
        .where(Case.resident_id == resident_id).order_by(Case.opened_at.desc())).all()
    cases: dict[uuid.UUID, CaseView] = {}
    for row in rows:
        cases[row.id] = CaseView(
            reference=format_reference(row.reference), service=row.label, subject=row.subject,
            status=row.status, origin_channel=row.origin_channel, opened_at=row.opened_at,
            due_date=row.due_date, external=row.external_system is not None)
    for change in db_session.execute(
        select(CaseStatusChange.case_id, CaseStatusChange.to_status, CaseStatusChange.channel,
               CaseStatusChange.changed_at, CaseStatusChange.note)
        .join(Case, Case.id == CaseStatusChange.case_id)
        .where(Case.resident_id == resident_id)
    ):
        cases[change.case_id].timeline.append(TimelineEntry(
            change.changed_at, label(CHANNELS, change.channel),
            f"Demande {label(CASE_STATUSES, change.to_status)}", change.note))
    loose: list[TimelineEntry] = []
    for exchange in db_session.execute(
        select(Interaction.case_id, Interaction.channel, Interaction.direction,
               Interaction.outcome, Interaction.occurred_at, Interaction.note)
        .where(Interaction.resident_id == resident_id)
        .order_by(Interaction.occurred_at.desc())
    ):
        entry = TimelineEntry(
            exchange.occurred_at, label(CHANNELS, exchange.channel),
            f"Contact {label(DIRECTIONS, exchange.direction)} : "
            f"{label(OUTCOMES, exchange.outcome)}", exchange.note)
        if exchange.case_id in cases:
            cases[exchange.case_id].timeline.append(entry)
        else:
            loose.append(entry)
    for case in cases.values():
        case.timeline.sort(key=lambda entry: entry.at)
    return list(cases.values()), loose


def my_badges(*, db_session: Session, resident_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = db_session.scalars(select(Badge).where(Badge.resident_id == resident_id)
                              .order_by(Badge.issued_at.desc()))
    return [badges.badge_out(badge) for badge in rows]


def own_active_badge(*, db_session: Session, resident_id: uuid.UUID,
                     badge_id: str) -> Badge | None:
    """The resident's badge if it still works (one revoked since is not shown again)."""
    badge = db_session.get(Badge, badge_id)
    if badge is None or badge.resident_id != resident_id:
        return None
    return badge if badges.status_of(badge) is BadgeStatus.ACTIVE else None


class TooManyBadges(Conflict):
    code = "too_many_badges"
    title = "Trop de badges"


class FormAlreadySent(Conflict):
    code = "form_already_sent"
    title = "Formulaire déjà envoyé"


def lock_resident(*, db_session: Session, resident_id: uuid.UUID) -> None:
    """Serialises one resident's forms (a double click sends two at once): PostgreSQL
    locks the row; SQLite transactions are already serialised (BEGIN IMMEDIATE)."""
    db_session.execute(select(Resident.id).where(Resident.id == resident_id)
                       .with_for_update())


def latest_qr_badge(*, db_session: Session, resident_id: uuid.UUID) -> str:
    """The newest QR badge's id ("" for none): the badge form's one-time key."""
    return db_session.scalar(select(Badge.id).where(
        Badge.resident_id == resident_id, Badge.kind == BadgeKind.QR,
    ).order_by(Badge.issued_at.desc(), Badge.id.desc()).limit(1)) or ""


def new_qr_badge(*, db_session: Session, settings: Settings, resident_id: uuid.UUID,
                 replaces: str) -> tuple[Badge, str]:
    """A fresh QR badge for the phone; the QR badges shown before stop working (a token
    is shown once and never stored, so showing the badge again means issuing a new one).
    Cards are left alone. At most `BADGES_PER_DAY` from the space in 24 hours.

    `replaces` is the newest QR badge when the form was shown: a second sending of the
    same form finds another one and issues nothing (FormAlreadySent)."""
    actor = actor_for(resident_id)
    lock_resident(db_session=db_session, resident_id=resident_id)
    if latest_qr_badge(db_session=db_session, resident_id=resident_id) != replaces:
        raise FormAlreadySent("Ce formulaire a déjà été envoyé")
    since = utcnow() - timedelta(days=1)
    issued = db_session.scalar(select(func.count()).select_from(Badge).where(
        Badge.resident_id == resident_id, Badge.kind == BadgeKind.QR,
        Badge.issued_by_agent_id.is_(None), Badge.issued_at > since)) or 0
    if issued >= BADGES_PER_DAY:
        raise TooManyBadges(f"Vous avez déjà affiché {issued} nouveaux codes QR aujourd'hui :"
                            " réessayez demain, ou demandez un badge à l'accueil")
    for badge in db_session.scalars(select(Badge).where(
            Badge.resident_id == resident_id, Badge.kind == BadgeKind.QR,
            Badge.revoked_at.is_(None))):
        if badges.status_of(badge) is BadgeStatus.ACTIVE:
            badges.revoke(db_session=db_session, actor=actor, badge_id=badge.id,
                          reason="remplacé depuis l'espace usager")
    badge, token = badges.issue(db_session=db_session, actor=actor, settings=settings,
                                resident_id=resident_id, data=BadgeCreate())
    assert token is not None
    return badge, token
