"""Everything Relais holds about one resident, as one machine-readable document
(GDPR art. 15 access and art. 20 portability).

Plain Core statements, one per kind of data, so a resident with thousands of exchanges is
exported in one pass over indexed rows. The consultations part is the access log as the
resident is entitled to see it: when, what, from which site, on which channel, why, and
the agent's role — the agent's name only where the city chose to show it
(`RELAIS_ACCESS_LOG_SHOWS_AGENT_NAMES`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Executable

from crm_core.agents.actor import Actor
from crm_core.agents.models import Agent, Site
from crm_core.badges.models import Badge
from crm_core.cases.models import Case, CaseStatusChange, Service
from crm_core.cases.reference import format_reference
from crm_core.config import Settings
from crm_core.consent.contactability import add_contact_ways
from crm_core.consent.service import PURPOSE_LABELS, read_consents
from crm_core.interactions.models import Interaction
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.models import AccessLog
from crm_core.privacy.service import record_access
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from crm_core.residents.service import resolve_id

FORMAT_VERSION = 1


def _rows(db_session: Session, statement: Executable) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in db_session.execute(statement)]


def _identity(db_session: Session, resident_id: uuid.UUID) -> dict[str, Any]:
    return _rows(db_session, select(
        Resident.id, Resident.given_name, Resident.family_name, Resident.birth_name,
        Resident.birth_date, Resident.address_line, Resident.postal_code, Resident.city,
        Resident.insee_code, Resident.status, Resident.created_at, Resident.updated_at,
    ).where(Resident.id == resident_id))[0]


def _cases(db_session: Session, resident_id: uuid.UUID) -> list[dict[str, Any]]:
    cases = _rows(db_session, select(
        Case.id, Case.reference, Service.label.label("service"), Case.kind, Case.status,
        Case.origin_channel, Case.subject, Case.description, Case.opened_at, Case.due_date,
        Case.resolved_at, Case.closed_at, Case.external_system, Case.external_id,
    ).join(Service, Service.id == Case.service_id)
     .where(Case.resident_id == resident_id).order_by(Case.opened_at))
    history: dict[uuid.UUID, list[dict[str, Any]]] = {case["id"]: [] for case in cases}
    for change in _rows(db_session, select(
        CaseStatusChange.case_id, CaseStatusChange.from_status, CaseStatusChange.to_status,
        CaseStatusChange.channel, CaseStatusChange.changed_at, CaseStatusChange.note,
    ).join(Case, Case.id == CaseStatusChange.case_id)
     .where(Case.resident_id == resident_id).order_by(CaseStatusChange.changed_at)):
        history[change.pop("case_id")].append(change)
    for case in cases:
        case["history"] = history[case.pop("id")]
        case["reference"] = format_reference(case["reference"])
    return cases


def _interactions(db_session: Session, resident_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = _rows(db_session, select(
        Interaction.channel, Interaction.direction, Interaction.outcome, Interaction.note,
        Interaction.occurred_at, Interaction.ended_at, Case.reference.label("case_reference"),
        Site.name.label("site"),
    ).outerjoin(Case, Case.id == Interaction.case_id)
     .outerjoin(Site, Site.id == Interaction.site_id)
     .where(Interaction.resident_id == resident_id).order_by(Interaction.occurred_at))
    for row in rows:
        if row["case_reference"]:
            row["case_reference"] = format_reference(row["case_reference"])
    return rows


def consultations(
    *, db_session: Session, resident_id: uuid.UUID, shows_agent_names: bool,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Who consulted or changed the file, newest first, as the resident may see it (the
    agents' names only when `RELAIS_ACCESS_LOG_SHOWS_AGENT_NAMES`, `shows_agent_names`)."""
    agent, site = aliased(Agent), aliased(Site)
    columns: list[Any] = [
        AccessLog.occurred_at, AccessLog.operation, agent.role.label("agent_role"),
        site.name.label("site"), AccessLog.channel, AccessLog.reason,
    ]
    if shows_agent_names:
        columns.append(agent.display_name.label("agent"))
    statement = (
        select(*columns).outerjoin(agent, agent.id == AccessLog.agent_id)
        .outerjoin(site, site.id == AccessLog.site_id)
        .where(AccessLog.resident_id == resident_id)
        .order_by(AccessLog.occurred_at.desc(), AccessLog.id.desc())
    )
    return _rows(db_session, statement.limit(limit) if limit else statement)


def export_resident(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, settings: Settings
) -> dict[str, Any]:
    """Everything held about the resident; `settings` names the controller (the city) and
    says whether the consultations show the agents' names."""
    surviving_id, _ = resolve_id(db_session=db_session, resident_id=resident_id)
    states, consent_history = read_consents(
        db_session=db_session, actor=actor, resident_id=surviving_id
    )
    points = _rows(db_session, select(
        ContactPoint.kind, ContactPoint.value, ContactPoint.label, ContactPoint.verified,
        ContactPoint.contact_allowed, ContactPoint.source_channel, ContactPoint.created_at,
    ).where(ContactPoint.resident_id == surviving_id).order_by(ContactPoint.created_at))
    document = {
        "format": "relais.resident-export", "version": FORMAT_VERSION,
        "generated_at": datetime.now(UTC), "controller": settings.city_name,
        "resident": _identity(db_session, surviving_id),
        "contact_points": points,
        "online_accounts": _rows(db_session, select(
            AccountLink.provider, AccountLink.subject, AccountLink.created_at,
            AccountLink.source_channel,
        ).where(AccountLink.resident_id == surviving_id).order_by(AccountLink.created_at)),
        "cases": _cases(db_session, surviving_id),
        "interactions": _interactions(db_session, surviving_id),
        "badges": _rows(db_session, select(
            Badge.kind, Badge.issued_at, Badge.expires_at, Badge.revoked_at,
            Badge.revoked_reason, Badge.last_used_at,
        ).where(Badge.resident_id == surviving_id).order_by(Badge.issued_at)),
        "consents": [
            {"purpose": s.purpose, "label": PURPOSE_LABELS[s.purpose], "granted": s.granted,
             "changed_at": s.changed_at, "source": s.source, "channel": s.channel}
            for s in states.values()
        ],
        "consent_history": [
            {"purpose": c.purpose, "granted": c.granted, "changed_at": c.changed_at,
             "source": c.source, "channel": c.channel, "note": c.note}
            for c in consent_history
        ],
        "consultations": consultations(
            db_session=db_session, resident_id=surviving_id,
            shows_agent_names=settings.access_log_shows_agent_names),
    }
    # How the mairie may contact the resident at each point: the one answer of every screen.
    add_contact_ways(points,
                     [state.purpose for state in states.values() if state.granted])
    if actor.agent_id is not None:
        record_access(db_session=db_session, actor=actor, resident_id=surviving_id,
                      operation=AccessOperation.EXPORT_DATA)
    return document
