from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from crm_core.api.deps import AppSettings, DbSession, ResidentReader, ResidentWriter
from crm_core.consent.contactability import allowed_ways, granted_purposes
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.residents import service
from crm_core.residents.contacts import format_phone_for_display
from crm_core.residents.enums import ContactKind
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from crm_core.residents.schemas import (
    AccountLinkCreate,
    AccountLinkOut,
    ContactPointCreate,
    ContactPointOut,
    ContactPointUpdate,
    ResidentCreate,
    ResidentOut,
    ResidentUpdate,
)

router = APIRouter(prefix="/residents", tags=["residents"])


@router.post("", response_model=ResidentOut, status_code=status.HTTP_201_CREATED)
def create_resident(
    db_session: DbSession, actor: ResidentWriter, settings: AppSettings, data: ResidentCreate
) -> Resident:
    resident = service.create(db_session=db_session, actor=actor, data=data,
                              phone_region=settings.default_phone_region)
    return resident


@router.get("/{resident_id}", response_model=ResidentOut)
def read_resident(db_session: DbSession, actor: ResidentReader, resident_id: uuid.UUID) -> Any:
    resident = service.get(db_session=db_session, resident_id=resident_id)
    record_access(
        db_session=db_session, actor=actor, resident_id=resident.id,
        operation=AccessOperation.READ_SUMMARY, reason="identity",
    )
    return resident


@router.patch("/{resident_id}", response_model=ResidentOut)
def update_resident(
    db_session: DbSession, actor: ResidentWriter, resident_id: uuid.UUID, data: ResidentUpdate
) -> Resident:
    resident = service.update(
        db_session=db_session, actor=actor, resident_id=resident_id, data=data
    )
    return resident


@router.post(
    "/{resident_id}/contact-points", response_model=ContactPointOut,
    status_code=status.HTTP_201_CREATED,
)
def add_contact_point(
    db_session: DbSession, actor: ResidentWriter, settings: AppSettings, resident_id: uuid.UUID,
    data: ContactPointCreate,
) -> dict[str, Any]:
    point = service.add_contact_point(
        db_session=db_session, actor=actor, resident_id=resident_id, data=data,
        phone_region=settings.default_phone_region,
    )
    return _point_out(db_session, point)


@router.patch("/{resident_id}/contact-points/{point_id}", response_model=ContactPointOut)
def update_contact_point(
    db_session: DbSession, actor: ResidentWriter, resident_id: uuid.UUID, point_id: uuid.UUID,
    data: ContactPointUpdate,
) -> dict[str, Any]:
    """Record the resident's "may we contact you here" answer for one point."""
    point = service.update_contact_point(
        db_session=db_session, actor=actor, resident_id=resident_id, point_id=point_id,
        data=data,
    )
    return _point_out(db_session, point)


@router.delete("/{resident_id}/contact-points/{point_id}", status_code=204)
def remove_contact_point(
    db_session: DbSession, actor: ResidentWriter, resident_id: uuid.UUID, point_id: uuid.UUID,
) -> Response:
    """Delete a contact point the resident no longer uses."""
    service.remove_contact_point(
        db_session=db_session, actor=actor, resident_id=resident_id, point_id=point_id,
    )
    return Response(status_code=204)


def _point_out(db_session: Session, point: ContactPoint) -> dict[str, Any]:
    display = point.value
    if point.kind is ContactKind.PHONE:
        display = format_phone_for_display(point.value)
    ways = allowed_ways(kind=point.kind, value=point.value, point_allowed=point.contact_allowed,
                        granted=granted_purposes(db_session=db_session,
                                                 resident_id=point.resident_id))
    return {
        "id": point.id, "kind": point.kind, "value": point.value, "display": display,
        "label": point.label, "verified": point.verified,
        "contact_allowed": point.contact_allowed, "contact_ways": [w.value for w in ways],
    }


@router.post(
    "/{resident_id}/account-links", response_model=AccountLinkOut,
    status_code=status.HTTP_201_CREATED,
)
def link_account(
    db_session: DbSession, actor: ResidentWriter, resident_id: uuid.UUID,
    data: AccountLinkCreate,
) -> AccountLink:
    link = service.link_account(
        db_session=db_session, actor=actor, resident_id=resident_id,
        provider=data.provider, subject=data.subject, channel=data.channel,
    )
    return link
