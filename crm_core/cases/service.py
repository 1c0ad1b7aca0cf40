"""Cases: opening, reading by reference, moving through the workflow."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from crm_core.agents.actor import Actor
from crm_core.cases import reference as refs
from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case, CaseStatusChange, Service
from crm_core.cases.schemas import CaseCreate, ServiceCreate
from crm_core.cases.workflow import allowed_next, check_transition
from crm_core.channels import Channel
from crm_core.database.base import utcnow
from crm_core.exceptions import Conflict, InvalidInput, NotFound, check_replay, same_text
from crm_core.interactions.enums import Outcome
from crm_core.interactions.models import Interaction
from crm_core.interactions.timing import check_recorded_at
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access, record_accesses
from crm_core.residents import service as residents
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import Resident
from crm_core.text import echoed

_REFERENCE_ATTEMPTS = 8


class ServiceNotFound(NotFound):
    code = "service_not_found"
    title = "Service inconnu"


class CaseNotFound(NotFound):
    code = "case_not_found"
    title = "Demande introuvable"


def list_services(*, db_session: Session) -> list[Service]:
    return list(db_session.scalars(select(Service).where(Service.active).order_by(Service.label)))


def get_service(*, db_session: Session, code: str) -> Service:
    service = db_session.scalar(select(Service).where(Service.code == code, Service.active))
    if service is None:
        raise ServiceNotFound(f"Service inconnu : « {echoed(code, 50)} »", field="service_code")
    return service


def create_service(*, db_session: Session, data: ServiceCreate) -> Service:
    if not 0 <= data.announced_delay_days <= 3650:
        raise InvalidInput("Délai annoncé hors limites (0 à 3650 jours)",
                           field="announced_delay_days")
    if db_session.scalar(select(Service.id).where(Service.code == data.code)):
        raise Conflict(f"Le service « {data.code} » existe déjà", field="code")
    service = Service(**data.model_dump())
    db_session.add(service)
    db_session.flush()
    return service


def _require_channel(channel: Channel | None, actor: Actor) -> Channel:
    chosen = channel or actor.channel
    if chosen is None:
        raise InvalidInput("Précisez le canal (web, guichet, téléphone...)", field="channel")
    return chosen


def _free_references(db_session: Session, data: Sequence[CaseCreate]) -> list[str]:
    """One free reference per case; the first look-up also checks that each external
    request is new (one round trip for both)."""
    pairs = {(d.external_system, d.external_id) for d in data if d.external_system}
    if len(pairs) < sum(1 for d in data if d.external_system):
        raise Conflict("Cette demande externe figure deux fois", field="external_id")
    chosen: list[str] = []
    for _ in range(_REFERENCE_ATTEMPTS):
        candidates = {refs.generate() for _ in range(len(data) - len(chosen))} - set(chosen)
        held: ColumnElement[bool] = Case.reference.in_(candidates)
        if pairs:
            held = or_(held, tuple_(Case.external_system, Case.external_id).in_(pairs))
        rows = db_session.execute(select(Case.reference).where(held)).all()
        taken = {row.reference for row in rows}
        if taken - candidates:
            raise Conflict("Cette demande externe est déjà enregistrée", field="external_id")
        pairs = set()  # checked once
        chosen += sorted(candidates - taken)
        if len(chosen) == len(data):
            return chosen
    raise Conflict("Impossible d'attribuer une référence unique, réessayez")


def _check_external_pair(data: CaseCreate) -> None:
    if (data.external_system is None) != (data.external_id is None):
        raise InvalidInput(
            "La référence externe demande le système et l'identifiant", field="external_id"
        )


def _new_case(
    actor: Actor, *, resident_id: uuid.UUID, service: Service, channel: Channel,
    data: CaseCreate, reference: str, opened_at: datetime, timezone: str,
) -> Case:
    local_day = opened_at.astimezone(ZoneInfo(timezone)).date()
    case = Case(
        id=uuid.uuid4(), reference=reference, resident_id=resident_id, service_id=service.id,
        kind=data.kind, status=CaseStatus.NEW, origin_channel=channel, subject=data.subject,
        description=data.description, external_system=data.external_system,
        external_id=data.external_id, opened_at=opened_at,
        due_date=local_day + timedelta(days=service.announced_delay_days),
        site_id=actor.site_id, opened_by_agent_id=actor.agent_id,
        idempotency_key=data.idempotency_key,
    )
    case.service = service
    return case


def _flush_new(db_session: Session) -> None:
    try:
        db_session.flush()
    except IntegrityError as exc:  # a concurrent insert of the same external request
        raise Conflict("Demande enregistrée en parallèle, réessayez") from exc


def _write_openings(
    db_session: Session, actor: Actor, opened: Sequence[tuple[Case, CaseCreate]]
) -> None:
    """The cases, then the exchanges that opened them (unless told not to), then their
    first status and the access-log rows: three flushes whatever the number of cases
    (the tables have no ORM relationship that would order one flush)."""
    db_session.add_all([case for case, _ in opened])
    _flush_new(db_session)
    interactions = {
        case.id: Interaction(
            id=uuid.uuid4(), resident_id=case.resident_id, case_id=case.id,
            channel=case.origin_channel,
            outcome=Outcome.SUBMITTED_ONLINE if case.origin_channel is Channel.WEB
            else Outcome.CASE_OPENED,
            note=data.description, occurred_at=case.opened_at, agent_id=actor.agent_id,
            site_id=actor.site_id,
        )
        for case, data in opened if data.record_interaction
    }
    if interactions:
        db_session.add_all(interactions.values())
        db_session.flush()
    for case, _ in opened:
        interaction = interactions.get(case.id)
        db_session.add(CaseStatusChange(
            case_id=case.id, from_status=None, to_status=CaseStatus.NEW,
            channel=case.origin_channel, changed_at=case.opened_at, agent_id=actor.agent_id,
            interaction_id=interaction.id if interaction else None,
        ))
    _flush_new(db_session)
    record_accesses(db_session=db_session, actor=actor, operation=AccessOperation.OPEN_CASE,
                    entries=[(case.resident_id, case.origin_channel, case.reference)
                             for case, _ in opened])


def open_case(
    *, db_session: Session, actor: Actor, data: CaseCreate, timezone: str,
    opened_at: datetime | None = None,
) -> Case:
    """A new case; its due date counts from the day it opened in the city (`timezone`)."""
    case, _ = open_case_once(db_session=db_session, actor=actor, data=data,
                             timezone=timezone, opened_at=opened_at)
    return case


def open_case_once(
    *, db_session: Session, actor: Actor, data: CaseCreate, timezone: str,
    opened_at: datetime | None = None,
) -> tuple[Case, bool]:
    """`open_case`, and whether the case was opened now (False: a replay of its
    idempotency key, answered with the case opened the first time)."""
    if data.idempotency_key:
        existing = db_session.scalar(
            select(Case).where(Case.idempotency_key == data.idempotency_key)
        )
        if existing is not None:
            return _check_replay(db_session, actor, existing, data), False
    resident = residents.get_writable(db_session=db_session, resident_id=data.resident_id)
    service = get_service(db_session=db_session, code=data.service_code)
    channel = _require_channel(data.channel, actor)
    _check_external_pair(data)
    reference = _free_references(db_session, [data])[0]
    opened_at = opened_at or (
        check_recorded_at(data.opened_at, now=utcnow(), field="opened_at", what="de la demande")
        if data.opened_at else utcnow()
    )
    case = _new_case(actor, resident_id=resident.id, service=service, channel=channel,
                     data=data, reference=reference, opened_at=opened_at, timezone=timezone)
    _write_openings(db_session, actor, [(case, data)])
    return case, True


@dataclass(frozen=True)
class Opening:
    """One case of a batch: its resident already read (the surviving record) and when
    the resident asked."""

    resident: Resident
    data: CaseCreate
    opened_at: datetime


def open_cases(
    *, db_session: Session, actor: Actor, openings: Sequence[Opening], timezone: str,
) -> list[Case]:
    """Many cases at once (a worker's batch of platform events): the checks of
    `open_case` for the whole batch, one look-up for the references, one flush. All or
    nothing: the first refusal raises. No idempotency keys here (one-off retries)."""
    if not openings:
        return []
    services: dict[str, Service] = {}
    for opening in openings:
        if opening.data.idempotency_key:
            raise InvalidInput("Clé d'idempotence : ouvrez cette demande seule",
                               field="idempotency_key")
        residents.check_writable(opening.resident.status)
        if opening.resident.status == ResidentStatus.MERGED:
            raise InvalidInput("Usager fusionné : ouvrez la demande sur le dossier conservé",
                               field="resident_id")
        _check_external_pair(opening.data)
        code = opening.data.service_code
        if code not in services:
            services[code] = get_service(db_session=db_session, code=code)
    references = _free_references(db_session, [opening.data for opening in openings])
    opened = [
        (_new_case(actor, resident_id=opening.resident.id,
                   service=services[opening.data.service_code],
                   channel=_require_channel(opening.data.channel, actor), data=opening.data,
                   reference=reference, opened_at=opening.opened_at, timezone=timezone),
         opening.data)
        for opening, reference in zip(openings, references, strict=True)
    ]
    _write_openings(db_session, actor, opened)
    return [case for case, _ in opened]


def _check_replay(db_session: Session, actor: Actor, existing: Case, data: CaseCreate) -> Case:
    """The same key with the same content is a retry, answered with the first case; with
    another content it is refused. Compared: what the client sets, after validation;
    never the times, nor `record_interaction` (how, not what)."""
    surviving_id, _ = residents.resolve_id(db_session=db_session, resident_id=data.resident_id)
    service_code = db_session.scalar(select(Service.code).where(Service.id == existing.service_id))
    check_replay([label for label, differs in (
        ("usager", existing.resident_id != surviving_id),
        ("service", service_code != data.service_code),
        ("nature", existing.kind != data.kind),
        ("objet", not same_text(existing.subject, data.subject)),
        ("description", not same_text(existing.description, data.description)),
        ("référence externe", (existing.external_system, existing.external_id)
         != (data.external_system, data.external_id)),
        ("canal", data.channel is not None and existing.origin_channel != data.channel),
    ) if differs], by_owner=actor.may_replay(existing.opened_by_agent_id))
    return existing


def get_by_reference(*, db_session: Session, reference: str) -> Case:
    compact = refs.normalize(reference)
    case = db_session.scalar(
        select(Case).where(Case.reference == compact).options(selectinload(Case.history))
    )
    if case is None:
        raise CaseNotFound(f"Aucune demande n'a la référence {refs.format_reference(compact)}")
    return case


def read_case(*, db_session: Session, actor: Actor, reference: str) -> Case:
    case = get_by_reference(db_session=db_session, reference=reference)
    record_access(
        db_session=db_session, actor=actor, resident_id=case.resident_id,
        operation=AccessOperation.READ_CASE, reason=case.reference,
    )
    return case


def update_case(
    *, db_session: Session, actor: Actor, reference: str, status: CaseStatus | None,
    channel: Channel | None, note: str | None, at: datetime | None = None,
) -> tuple[Case, Interaction]:
    """Move a case (or just add a note): the status change and the exchange that caused it.
    What the request lacks is said before the case is looked up: the answer to a bad
    request never tells whether the reference exists."""
    channel = _require_channel(channel, actor)
    if status is None and not note:
        raise InvalidInput("Indiquez un nouveau statut ou une note", field="status")
    case = get_by_reference(db_session=db_session, reference=reference)
    at = at or utcnow()
    outcome = Outcome.CASE_UPDATED
    if status is not None:
        check_transition(case.status, status)
        if status is CaseStatus.RESOLVED:
            outcome = Outcome.RESOLVED
    interaction = Interaction(
        resident_id=case.resident_id, case_id=case.id, channel=channel, outcome=outcome,
        note=note, occurred_at=at, agent_id=actor.agent_id, site_id=actor.site_id,
    )
    db_session.add(interaction)
    if status is not None:
        # Through the relationships: the unit of work writes the exchange before the
        # change that names it (one flush), and the change joins the loaded history
        # (no reload). The ids are set too: the outbox hook reads them before the flush.
        db_session.add(CaseStatusChange(
            case=case, case_id=case.id, from_status=case.status, to_status=status,
            channel=channel, changed_at=at, agent_id=actor.agent_id,
            interaction=interaction, interaction_id=interaction.id, note=note,
        ))
        _apply_status(case, status, at)
    record_access(
        db_session=db_session, actor=actor, resident_id=case.resident_id,
        operation=AccessOperation.UPDATE_CASE, channel=channel, reason=case.reference,
    )
    db_session.flush()
    return case, interaction


def _apply_status(case: Case, status: CaseStatus, at: datetime) -> None:
    if status is CaseStatus.RESOLVED:
        case.resolved_at = at
    elif status is CaseStatus.CLOSED:
        case.closed_at = at
        case.resolved_at = case.resolved_at or at
    elif status is CaseStatus.IN_PROGRESS and case.status in (
        CaseStatus.RESOLVED, CaseStatus.CLOSED
    ):
        case.resolved_at = None  # reopened
        case.closed_at = None
    case.status = status


def case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "reference": case.reference,
        "display_reference": refs.format_reference(case.reference),
        "resident_id": case.resident_id,
        "service_code": case.service.code,
        "service_label": case.service.label,
        "kind": case.kind,
        "status": case.status,
        "allowed_transitions": allowed_next(case.status),
        "origin_channel": case.origin_channel,
        "subject": case.subject,
        "description": case.description,
        "external_system": case.external_system,
        "external_id": case.external_id,
        "opened_at": case.opened_at,
        "due_date": case.due_date,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "history": [
            {
                "from_status": h.from_status, "to_status": h.to_status, "channel": h.channel,
                "changed_at": h.changed_at, "note": h.note,
            }
            for h in case.history
        ],
    }
