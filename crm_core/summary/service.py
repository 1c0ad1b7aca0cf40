"""The "360" view every agent opens: identity, contact points, open cases, last exchanges,
badges and flags.

It is the hottest read of the whole system, so its statements are built once at import
(bound parameters) and run on the session's Core connection into plain dicts: no ORM
objects, no per-request statement construction.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from crm_core.agents.actor import Actor
from crm_core.agents.models import Agent, Site
from crm_core.badges.enums import BadgeKind
from crm_core.badges.models import Badge
from crm_core.cases.enums import ONGOING_STATUSES, CaseStatus
from crm_core.cases.models import Case, Service
from crm_core.cases.reference import format_reference
from crm_core.consent.contactability import ContactWay, add_contact_ways, granted_purposes
from crm_core.database.base import utcnow
from crm_core.interactions.models import Interaction
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.residents.contacts import format_phone_for_display
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.exceptions import ResidentNotFound
from crm_core.residents.models import ContactPoint, Resident
from crm_core.residents.service import resolve_id
from crm_core.summary.pg import read_summary_pg

RECENT_INTERACTIONS = 20
_ID: BindParameter[uuid.UUID] = bindparam("resident_id")

_RESIDENT = select(
    Resident.id, Resident.given_name, Resident.family_name, Resident.birth_name,
    Resident.birth_date, Resident.address_line, Resident.postal_code, Resident.city,
    Resident.insee_code, Resident.status, Resident.created_at, Resident.merged_into_id,
).where(Resident.id == _ID)

_CONTACT_POINTS = (
    select(
        ContactPoint.id, ContactPoint.kind, ContactPoint.value, ContactPoint.label,
        ContactPoint.verified, ContactPoint.contact_allowed,
    )
    .where(ContactPoint.resident_id == _ID)
    .order_by(ContactPoint.kind, ContactPoint.created_at)
)

_OPEN_CASES = (
    select(
        Case.reference, Case.status, Case.kind, Case.origin_channel, Case.subject,
        Case.opened_at, Case.due_date, Case.external_system, Case.external_id,
        Service.code.label("service_code"), Service.label.label("service_label"),
    )
    .join(Service, Service.id == Case.service_id)
    .where(Case.resident_id == _ID, Case.status.in_(ONGOING_STATUSES))
    .order_by(Case.opened_at.desc())
)

_TIMELINE = (
    select(
        Interaction.id, Interaction.channel, Interaction.direction, Interaction.outcome,
        Interaction.note, Interaction.occurred_at,
        Case.reference.label("case_reference"),
        Agent.display_name.label("agent"), Site.name.label("site"),
    )
    .outerjoin(Case, Case.id == Interaction.case_id)
    .outerjoin(Agent, Agent.id == Interaction.agent_id)
    .outerjoin(Site, Site.id == Interaction.site_id)
    .where(Interaction.resident_id == _ID)
    .order_by(Interaction.occurred_at.desc(), Interaction.id)
)
_RECENT = _TIMELINE.limit(RECENT_INTERACTIONS)

_BADGES = (
    select(Badge.id, Badge.kind, Badge.expires_at, Badge.revoked_at, Badge.confirmed_at)
    .where(Badge.resident_id == _ID)
    .order_by(Badge.issued_at.desc())
)


def _rows(db_session: Session, statement: Executable, resident_id: uuid.UUID) -> list[Any]:
    return list(db_session.connection().execute(statement, {"resident_id": resident_id}))


def build_summary(*, db_session: Session, resident_id: uuid.UUID, today: date) -> dict[str, Any]:
    """The 360 view; `today` (the city's) tells the overdue cases."""
    surviving_id, resident = resident_id, _resident(db_session, resident_id)
    if resident["status"] == ResidentStatus.MERGED:  # rare: follow the merge pointers
        surviving_id, _ = resolve_id(db_session=db_session, resident_id=resident_id)
        resident = _resident(db_session, surviving_id)
    contact_points = _contact_points(db_session, surviving_id)
    add_contact_ways(contact_points,
                     granted_purposes(db_session=db_session, resident_id=surviving_id))
    open_cases = _open_cases(db_session, surviving_id, today)
    return {
        "resident": resident,
        "contact_points": contact_points,
        "open_cases": open_cases,
        "recent_interactions": [
            row._asdict() for row in _rows(db_session, _RECENT, surviving_id)
        ],
        "badges": _badges(db_session, surviving_id),
        "flags": _flags(resident, contact_points, open_cases),
        "merged_from": resident_id if surviving_id != resident_id else None,
    }


def _resident(db_session: Session, resident_id: uuid.UUID) -> dict[str, Any]:
    rows = _rows(db_session, _RESIDENT, resident_id)
    if not rows:
        raise ResidentNotFound(f"Aucun usager n'a l'identifiant {resident_id}")
    resident: dict[str, Any] = rows[0]._asdict()
    resident.pop("merged_into_id")
    return resident


def _contact_points(db_session: Session, resident_id: uuid.UUID) -> list[dict[str, Any]]:
    points = []
    for row in _rows(db_session, _CONTACT_POINTS, resident_id):
        point = row._asdict()
        point["display"] = (
            format_phone_for_display(row.value) if row.kind == ContactKind.PHONE else row.value
        )
        points.append(point)
    return points


def _badges(db_session: Session, resident_id: uuid.UUID) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "id": row.id, "kind": row.kind, "expires_at": row.expires_at,
            "status": "revoked" if row.revoked_at else (
                "expired" if row.expires_at <= now else "active"
            ),
            "confirmed": row.kind == BadgeKind.QR or row.confirmed_at is not None,
        }
        for row in _rows(db_session, _BADGES, resident_id)
    ]


def _open_cases(db_session: Session, resident_id: uuid.UUID, today: date) -> list[dict[str, Any]]:
    cases = []
    for row in _rows(db_session, _OPEN_CASES, resident_id):
        case = row._asdict()
        case["display_reference"] = format_reference(row.reference)
        case["overdue"] = bool(
            row.due_date and row.due_date < today and row.status != CaseStatus.RESOLVED
        )
        cases.append(case)
    return cases


def recent_interactions(
    *, db_session: Session, resident_id: uuid.UUID, limit: int = RECENT_INTERACTIONS,
    before: datetime | None = None,
) -> list[dict[str, Any]]:
    query = _TIMELINE.limit(limit)
    if before is not None:
        query = query.where(Interaction.occurred_at < before)
    return [row._asdict() for row in _rows(db_session, query, resident_id)]


def _flags(
    resident: dict[str, Any], points: list[dict[str, Any]], cases: list[dict[str, Any]]
) -> list[str]:
    flags = []
    if resident["status"] != ResidentStatus.ACTIVE:
        flags.append(str(resident["status"]))
    # The effective answer (consent and point), the one every screen shows: a number the
    # resident may only receive SMS on is not one to call.
    if not any(ContactWay.CALL in p["contact_ways"] for p in points):
        flags.append("no_phone_contact")
    if not any(ContactWay.EMAIL in p["contact_ways"] for p in points):
        flags.append("no_email_contact")
    if any(c["overdue"] for c in cases):
        flags.append("overdue_case")
    if any(c["status"] == CaseStatus.WAITING_RESIDENT for c in cases):
        flags.append("waiting_for_resident")
    return flags


def read_summary(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, today: date,
    operation: AccessOperation = AccessOperation.READ_SUMMARY, reason: str | None = None,
) -> dict[str, Any]:
    """The summary, with the access-log row that says who opened it (`today`: the
    city's)."""
    if db_session.get_bind().dialect.name == "postgresql":
        fast = read_summary_pg(
            db_session=db_session, actor=actor, resident_id=resident_id, today=today,
            now=utcnow(), operation=operation, reason=reason,
        )
        if fast is not None:
            fast["flags"] = _flags(fast["resident"], fast["contact_points"], fast["open_cases"])
            return fast
    summary = build_summary(db_session=db_session, resident_id=resident_id, today=today)
    record_access(
        db_session=db_session, actor=actor, resident_id=summary["resident"]["id"],
        operation=operation, reason=reason,
    )
    return summary
