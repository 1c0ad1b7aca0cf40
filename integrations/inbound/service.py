"""Inbound events: verified, recorded once (inbox), turned into a case and a timeline entry.

`receive()` is the whole path of one delivery inside the caller's transaction: the inbox
row, the resident, the case, its status and the interaction are flushed together, and the
route commits once — a refusal at any step leaves nothing written.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, literal, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.cases import service as cases
from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case
from crm_core.cases.schemas import CaseCreate
from crm_core.cases.workflow import ALLOWED_TRANSITIONS
from crm_core.channels import Channel
from crm_core.database.base import utcnow
from crm_core.interactions.enums import Outcome
from crm_core.interactions.models import Interaction
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from integrations.exceptions import EventIdReused, MalformedEvent
from integrations.inbound.schemas import CaseEvent, CaseEventData, IngestResult
from integrations.matching import Identity, find_or_create
from integrations.models import ExternalCaseState, InboxEvent, OidcLogin
from integrations.outbox.hooks import from_source

logger = logging.getLogger("relais.integrations")
DEFAULT_PROVIDER = "compte-unique"


@dataclass
class Delivery:
    source: str
    event_id: str
    body: bytes


@dataclass
class Known:
    """What the database already holds for a delivery: its inbox row and its case."""

    digest: str | None  # the body digest of a delivery with the same id, if any
    inbox_case_id: uuid.UUID | None
    case: Case | None  # the case with the event's external reference, if any
    state: ExternalCaseState | None  # held here: the session only keeps weak references


def look_up(db_session: Session, delivery: Delivery, external_id: str | None) -> Known:
    """One round trip for both questions (was this id seen? which case is it about?):
    outer joins from a one-row select, so either may be missing. The case's platform
    state comes along (the out-of-order guard reads it next, from the session)."""
    one = select(literal(1).label("one")).subquery()
    row = db_session.execute(
        select(InboxEvent.body_sha256, InboxEvent.case_id, Case, ExternalCaseState)
        .select_from(one)
        .outerjoin(InboxEvent, and_(InboxEvent.source == delivery.source,
                                    InboxEvent.event_id == delivery.event_id))
        .outerjoin(Case, and_(Case.external_system == delivery.source,
                              Case.external_id == (external_id or ""),
                              literal(external_id is not None)))
        .outerjoin(ExternalCaseState, ExternalCaseState.case_id == Case.id)
    ).one()
    return Known(digest=row[0], inbox_case_id=row[1], case=row[2], state=row[3])


def _as_duplicate(db_session: Session, delivery: Delivery, known: Known) -> IngestResult | None:
    """A redelivery of a known id is acknowledged (the sender stops retrying) and ignored;
    the same id with another body is refused."""
    if known.digest is None:
        return None
    if known.digest != digest(delivery.body):
        logger.warning("event id %s reused by %s with another body", delivery.event_id,
                       delivery.source)
        raise EventIdReused(
            "Cet identifiant d'événement a déjà servi pour un autre contenu : refusé",
            event_id=delivery.event_id,
        )
    reference = None
    if known.case is not None and known.case.id == known.inbox_case_id:
        reference = known.case.reference
    elif known.inbox_case_id:
        reference = db_session.scalar(select(Case.reference).where(
            Case.id == known.inbox_case_id))
    return IngestResult(status="duplicate", case_reference=reference)


def check_duplicate(db_session: Session, delivery: Delivery) -> IngestResult | None:
    return _as_duplicate(db_session, delivery, look_up(db_session, delivery, None))


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def record_delivery(db_session: Session, delivery: Delivery, case_id: uuid.UUID) -> None:
    """The inbox row goes last: a concurrent twin of this delivery blocks on its unique
    key until the first commits, then fails here and is answered as a duplicate."""
    db_session.add(InboxEvent(source=delivery.source, event_id=delivery.event_id,
                              body_sha256=digest(delivery.body), case_id=case_id,
                              processed_at=utcnow()))
    db_session.flush()


def receive(
    *, db_session: Session, delivery: Delivery, event: CaseEvent, timezone: str,
    phone_region: str, default_service: str | None = None,
) -> IngestResult:
    """`timezone` and `phone_region`: the city's (`Settings`), for a case it opens."""
    known = look_up(db_session, delivery, event.data.id)
    duplicate = _as_duplicate(db_session, delivery, known)
    if duplicate is not None:
        return duplicate
    with from_source(db_session, delivery.source):
        result, case = apply_case_event(
            db_session=db_session, source=delivery.source, data=event.data,
            at=event.data.updated_at or event.timestamp, default_service=default_service,
            case=known.case, looked_up=True, timezone=timezone, phone_region=phone_region,
        )
    record_delivery(db_session, delivery, case.id)
    return result


def after_conflict(db_session: Session, delivery: Delivery) -> IngestResult | None:
    """After a lost race (unique key), in a fresh transaction: was it this very event?"""
    db_session.rollback()
    return check_duplicate(db_session, delivery)


def apply_case_event(
    *, db_session: Session, source: str, data: CaseEventData, at: datetime, timezone: str,
    phone_region: str, default_service: str | None = None, case: Case | None = None,
    looked_up: bool = False,
) -> tuple[IngestResult, Case]:
    """`looked_up`: the caller already read the case with this external reference (`case`,
    None when there is none)."""
    if not looked_up:
        case = db_session.scalar(
            select(Case).where(Case.external_system == source, Case.external_id == data.id)
        )
    if case is None:
        return _open(db_session, source, data, at, default_service, timezone=timezone,
                     phone_region=phone_region)
    state = db_session.get(ExternalCaseState, case.id)
    if state is not None and at <= state.remote_updated_at:
        logger.info("stale event for %s/%s (%s <= %s): ignored", source, data.id, at,
                    state.remote_updated_at)
        return IngestResult(status="stale", case_reference=case.reference,
                            resident_id=str(case.resident_id)), case
    moved = _move(db_session, case, data, at)
    _remember(db_session, case, data, at, state)
    return IngestResult(status="updated" if moved else "unchanged",
                        case_reference=case.reference,
                        resident_id=str(case.resident_id)), case


def _open(
    db_session: Session, source: str, data: CaseEventData, at: datetime,
    default_service: str | None, *, timezone: str, phone_region: str,
) -> tuple[IngestResult, Case]:
    service_code = data.service or default_service
    if not service_code or not data.subject:
        raise MalformedEvent(
            "Une nouvelle demande doit indiquer son service et son objet",
            field="data.service" if not service_code else "data.subject",
        )
    person = data.resident
    identity = Identity(
        given_name=person.given_name, family_name=person.family_name,
        birth_name=person.birth_name, birth_date=person.birth_date, email=person.email,
        phone=person.phone,
        account_provider=(person.account.provider or DEFAULT_PROVIDER) if person.account
        else None,
        account_subject=person.account.subject if person.account else None,
    )
    match = find_or_create(db_session=db_session, identity=identity, source=source,
                           phone_region=phone_region)
    opened_at = min(at, utcnow())
    case = cases.open_case(
        db_session=db_session, actor=SYSTEM, opened_at=opened_at, timezone=timezone,
        data=CaseCreate(
            resident_id=match.resident_id, service_code=service_code, channel=Channel.WEB,
            kind=data.kind, subject=data.subject, description=data.description,
            external_system=source, external_id=data.id,
        ),
    )
    if data.status and data.status is not CaseStatus.NEW:
        _move(db_session, case, data, opened_at)
    _remember(db_session, case, data, at, None)
    return IngestResult(
        status="created", case_reference=case.reference, resident_id=str(match.resident_id),
        resident_match=match.how, review=match.review.value if match.review else None,
    ), case


def _move(db_session: Session, case: Case, data: CaseEventData, at: datetime) -> bool:
    """The platform moved its request: follow it if our workflow allows, else note it.
    False when there is nothing to follow: a step of the platform's workflow that maps to
    none of ours (`status_map`), without a note — acknowledged, as it is no error."""
    target = data.status
    if target is not None and target is not case.status:
        if target in ALLOWED_TRANSITIONS[case.status]:
            cases.update_case(
                db_session=db_session, actor=SYSTEM, reference=case.reference, status=target,
                channel=Channel.WEB, note=data.note, at=min(at, utcnow()),
            )
            return True
        logger.warning("platform status %s not allowed from %s on %s: noted only",
                       target, case.status, case.reference)
    note = data.note or (f"Statut sur la plateforme : {target.value}" if target else None)
    if not note:
        logger.info("platform update of %s with no known status nor note: nothing to do",
                    case.reference)
        return False
    db_session.add(Interaction(
        resident_id=case.resident_id, case_id=case.id, channel=Channel.WEB,
        outcome=Outcome.CASE_UPDATED, note=note, occurred_at=min(at, utcnow()),
    ))
    record_access(db_session=db_session, actor=SYSTEM, resident_id=case.resident_id,
                  operation=AccessOperation.RECORD_INTERACTION, channel=Channel.WEB,
                  reason=case.reference)
    db_session.flush()
    return True


def _remember(
    db_session: Session, case: Case, data: CaseEventData, at: datetime,
    state: ExternalCaseState | None,
) -> None:
    if state is None:
        state = ExternalCaseState(case_id=case.id, remote_updated_at=at)
        db_session.add(state)
    state.remote_updated_at = at
    state.remote_status = data.status.value if data.status else state.remote_status
    db_session.flush()


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def purge(*, db_session: Session, retention_hours: int) -> int:
    """Forgets event ids received more than `retention_hours` ago (never under 72 h: a
    platform may retry for three days) and sign-ins left unfinished for an hour."""
    hours = max(retention_hours, 72)
    done = db_session.execute(delete(InboxEvent).where(
        InboxEvent.received_at < utcnow() - timedelta(hours=hours),
        InboxEvent.payload.is_(None)))  # an acknowledged event not yet applied stays
    stale_logins = utcnow() - timedelta(hours=1)
    db_session.execute(delete(OidcLogin).where(OidcLogin.created_at < stale_logins))
    db_session.flush()
    return int(done.rowcount)  # type: ignore[attr-defined]
