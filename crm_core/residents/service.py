"""Residents, their contact points and their online-account links."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.channels import Channel
from crm_core.exceptions import InvalidInput
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.residents import hooks
from crm_core.residents.accounts import normalise_provider, same_provider
from crm_core.residents.contacts import normalize_email, normalize_phone
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.exceptions import (
    AccountAlreadyLinked,
    ContactPointNotFound,
    ResidentErased,
    ResidentNotFound,
)
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from crm_core.residents.schemas import (
    ContactPointCreate,
    ContactPointUpdate,
    EmailIn,
    PhoneIn,
    ResidentCreate,
    ResidentUpdate,
)
from crm_core.text import clean_display, fold, name_problem

MAX_MERGE_HOPS = 10


def resolve_id(*, db_session: Session, resident_id: uuid.UUID) -> tuple[uuid.UUID, bool]:
    """Follow merge pointers to the surviving record. Returns (id, was_merged)."""
    current, merged = resident_id, False
    for _ in range(MAX_MERGE_HOPS):
        row = db_session.execute(
            select(Resident.status, Resident.merged_into_id).where(Resident.id == current)
        ).first()
        if row is None:
            raise ResidentNotFound(f"Aucun usager n'a l'identifiant {resident_id}")
        if row.status != ResidentStatus.MERGED or row.merged_into_id is None:
            return current, merged
        current, merged = row.merged_into_id, True
    raise ResidentNotFound("Chaîne de fusions trop longue : dossier à vérifier")


def get(*, db_session: Session, resident_id: uuid.UUID) -> Resident:
    """The surviving record: one look-up (the session's own copy if it holds one)."""
    resident = db_session.get(Resident, resident_id)
    if resident is None:
        raise ResidentNotFound(f"Aucun usager n'a l'identifiant {resident_id}")
    if resident.status != ResidentStatus.MERGED or resident.merged_into_id is None:
        return resident
    surviving_id, _ = resolve_id(db_session=db_session, resident_id=resident.merged_into_id)
    survivor = db_session.get(Resident, surviving_id)
    assert survivor is not None
    return survivor


def get_writable(*, db_session: Session, resident_id: uuid.UUID) -> Resident:
    """`get`, for what adds to a file: an erased file takes nothing new (a call-back kept
    offline and sent after the erasure would put the resident's number back)."""
    resident = get(db_session=db_session, resident_id=resident_id)
    check_writable(resident.status)
    return resident


def writable_id(*, db_session: Session, resident_id: uuid.UUID) -> uuid.UUID:
    """`resolve_id`, refusing an erased file (see `get_writable`)."""
    surviving_id, _ = resolve_id(db_session=db_session, resident_id=resident_id)
    status = db_session.scalar(select(Resident.status).where(Resident.id == surviving_id))
    check_writable(status)
    return surviving_id


def check_writable(status: ResidentStatus | None) -> None:
    if status == ResidentStatus.ERASED:
        raise ResidentErased("Ce dossier a été effacé à la demande de l'usager : rien ne peut "
                             "plus y être ajouté", field="resident_id")


def _normalize_contact(kind: ContactKind, raw: str, phone_region: str) -> str:
    if kind is ContactKind.PHONE:
        return normalize_phone(raw, region=phone_region)
    if kind is ContactKind.EMAIL:
        return normalize_email(raw)
    value = " ".join(raw.split())
    if not value:
        raise InvalidInput("Adresse postale vide", field="value")
    return value


def _set_names(resident: Resident, given_name: str, family_name: str) -> None:
    # Every way in (API, connectors, the resident space) ends here: checked once more.
    for name in (given_name, family_name, resident.birth_name or "x"):
        if (problem := name_problem(name)) is not None:
            raise InvalidInput(problem[0].upper() + problem[1:], field="name")
    resident.given_name = clean_display(given_name)
    resident.family_name = clean_display(family_name)
    resident.given_name_key = fold(given_name)
    resident.family_name_key = fold(family_name)
    if not resident.given_name_key or not resident.family_name_key:
        raise InvalidInput("Le nom et le prénom doivent contenir des lettres", field="name")


def create(
    *, db_session: Session, actor: Actor, data: ResidentCreate, phone_region: str,
    channel: Channel | None = None,
) -> Resident:
    """`phone_region`: where national numbers are read (`RELAIS_DEFAULT_PHONE_REGION`)."""
    resident = Resident(
        birth_name=clean_display(data.birth_name) if data.birth_name else None,
        birth_date=data.birth_date,
        address_line=data.address_line,
        postal_code=data.postal_code,
        city=data.city,
        insee_code=data.insee_code,
        status=ResidentStatus.ACTIVE,
    )
    _set_names(resident, data.given_name, data.family_name)
    channel = channel or data.channel or actor.channel
    # Validate every contact point before writing anything: all or nothing.
    points: list[ContactPoint] = []
    seen: set[tuple[ContactKind, str]] = set()
    for phone in data.phones:
        item = phone if isinstance(phone, PhoneIn) else PhoneIn(number=phone)
        value = _normalize_contact(ContactKind.PHONE, item.number, phone_region)
        if (ContactKind.PHONE, value) not in seen:
            seen.add((ContactKind.PHONE, value))
            points.append(_contact(ContactKind.PHONE, value, item.label, item.contact_allowed))
    for email in data.emails:
        entry = email if isinstance(email, EmailIn) else EmailIn(address=email)
        value = _normalize_contact(ContactKind.EMAIL, entry.address, phone_region)
        if (ContactKind.EMAIL, value) not in seen:
            seen.add((ContactKind.EMAIL, value))
            points.append(_contact(ContactKind.EMAIL, value, entry.label, entry.contact_allowed))
    db_session.add(resident)
    db_session.flush()
    for point in points:
        point.resident_id = resident.id
        point.source_channel = channel
        point.created_by_agent_id = actor.agent_id
        db_session.add(point)
    record_access(
        db_session=db_session, actor=actor, resident_id=resident.id,
        operation=AccessOperation.CREATE_RESIDENT, channel=channel,
    )
    db_session.flush()
    hooks.changed(db_session=db_session, resident_ids=[resident.id])
    return resident


def _contact(kind: ContactKind, value: str, label: str | None, allowed: bool) -> ContactPoint:
    return ContactPoint(kind=kind, value=value, label=label, contact_allowed=allowed)


def update(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, data: ResidentUpdate
) -> Resident:
    resident = get_writable(db_session=db_session, resident_id=resident_id)
    changes = data.model_dump(exclude_unset=True)
    if "given_name" in changes or "family_name" in changes:
        _set_names(
            resident,
            changes.pop("given_name", None) or resident.given_name,
            changes.pop("family_name", None) or resident.family_name,
        )
    for field, value in changes.items():
        setattr(resident, field, value)
    record_access(
        db_session=db_session, actor=actor, resident_id=resident.id,
        operation=AccessOperation.UPDATE_RESIDENT, reason=", ".join(sorted(data.model_fields_set)),
    )
    db_session.flush()
    hooks.changed(db_session=db_session, resident_ids=[resident.id])
    return resident


def add_contact_point(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, data: ContactPointCreate,
    phone_region: str,
) -> ContactPoint:
    resident = get_writable(db_session=db_session, resident_id=resident_id)
    value = _normalize_contact(data.kind, data.value, phone_region)
    existing = db_session.scalar(
        select(ContactPoint).where(
            ContactPoint.resident_id == resident.id,
            ContactPoint.kind == data.kind,
            ContactPoint.value == value,
        )
    )
    point = existing or ContactPoint(resident_id=resident.id, kind=data.kind, value=value)
    # Re-adding a known point updates what the resident just told us about it.
    point.label = data.label or point.label
    point.contact_allowed = data.contact_allowed
    point.verified = point.verified or data.verified
    if existing is None:
        point.source_channel = data.channel or actor.channel
        point.created_by_agent_id = actor.agent_id
        db_session.add(point)
    record_access(
        db_session=db_session, actor=actor, resident_id=resident.id,
        operation=AccessOperation.ADD_CONTACT_POINT, channel=data.channel, reason=data.kind.value,
    )
    db_session.flush()
    hooks.changed(db_session=db_session, resident_ids=[resident.id])
    return point


def _own_point(db_session: Session, resident_id: uuid.UUID, point_id: uuid.UUID
               ) -> tuple[Resident, ContactPoint]:
    resident = get(db_session=db_session, resident_id=resident_id)
    point = db_session.get(ContactPoint, point_id)
    if point is None or point.resident_id != resident.id:
        # Same answer whether the point does not exist or belongs to someone else.
        raise ContactPointNotFound("Cette coordonnée n'existe pas dans ce dossier")
    return resident, point


def update_contact_point(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, point_id: uuid.UUID,
    data: ContactPointUpdate,
) -> ContactPoint:
    """Change the per-point "may we contact you here" answer (or the label)."""
    resident, point = _own_point(db_session, resident_id, point_id)
    if data.contact_allowed is not None:
        point.contact_allowed = data.contact_allowed
    if "label" in data.model_fields_set:
        point.label = data.label or None
    if actor.agent_id is not None:
        record_access(
            db_session=db_session, actor=actor, resident_id=resident.id,
            operation=AccessOperation.UPDATE_RESIDENT, channel=data.channel,
            reason="contact_point:update",
        )
    db_session.flush()
    return point


def remove_contact_point(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, point_id: uuid.UUID,
    channel: Channel | None = None,
) -> None:
    """Delete one contact point for good (the resident no longer uses it)."""
    resident, point = _own_point(db_session, resident_id, point_id)
    db_session.delete(point)
    if actor.agent_id is not None:
        record_access(
            db_session=db_session, actor=actor, resident_id=resident.id,
            operation=AccessOperation.UPDATE_RESIDENT, channel=channel,
            reason="contact_point:remove",
        )
    db_session.flush()
    hooks.changed(db_session=db_session, resident_ids=[resident.id])


def link_account(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, provider: str, subject: str,
    channel: Channel | None = None,
) -> AccountLink:
    resident = get_writable(db_session=db_session, resident_id=resident_id)
    existing = db_session.scalar(
        select(AccountLink).where(same_provider(AccountLink.provider, provider),
                                  AccountLink.subject == subject)
    )
    if existing is not None:
        if existing.resident_id == resident.id:
            return existing
        raise AccountAlreadyLinked(
            "Ce compte en ligne est déjà rattaché à un autre usager", provider=provider
        )
    link = AccountLink(
        resident_id=resident.id, provider=normalise_provider(provider), subject=subject,
        created_by_agent_id=actor.agent_id, source_channel=channel or actor.channel,
    )
    db_session.add(link)
    record_access(
        db_session=db_session, actor=actor, resident_id=resident.id,
        operation=AccessOperation.LINK_ACCOUNT, channel=channel, reason=provider,
    )
    db_session.flush()
    return link
