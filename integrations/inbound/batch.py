"""The common case of a worker's batch, applied set-wise: new requests from residents
known by their online account.

Most deferred events open a case for a resident already linked to the account subject
the platform sends. Taken one by one, each costs a dozen round trips (its savepoint, the
case and account look-ups, the reference, five inserts). Here the whole batch shares them:
one look-up of the cases already held, one of the account links, one for the references,
and one flush that writes each table's rows together. Everything else — updates, unknown
or merged residents, a status other than "new", an external id seen twice in the batch —
is left to the one-by-one path, which follows every rule of `apply_case_event`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.cases import service as cases
from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case
from crm_core.cases.schemas import CaseCreate
from crm_core.channels import Channel
from crm_core.database.base import utcnow
from crm_core.exceptions import DomainError
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import AccountLink, Resident
from integrations.inbound.schemas import CaseEvent
from integrations.inbound.service import DEFAULT_PROVIDER
from integrations.models import ExternalCaseState, InboxEvent
from integrations.outbox.hooks import from_source

logger = logging.getLogger("relais.integrations")


@dataclass
class Parsed:
    """A claimed inbox row with its event read and the service it asks for."""

    row: InboxEvent
    event: CaseEvent
    service_code: str | None


def _account(parsed: Parsed) -> tuple[str, str] | None:
    account = parsed.event.data.resident.account
    if account is None:
        return None
    return account.provider or DEFAULT_PROVIDER, account.subject


def _candidates(parsed: Sequence[Parsed]) -> list[Parsed]:
    """The events that may open a case set-wise, before any look-up."""
    seen: dict[tuple[str, str], int] = {}
    for item in parsed:
        key = (item.row.source, item.event.data.id)
        seen[key] = seen.get(key, 0) + 1
    return [
        item for item in parsed
        if seen[(item.row.source, item.event.data.id)] == 1  # twins keep their order
        and item.service_code and item.event.data.subject
        and item.event.data.status in (None, CaseStatus.NEW)
        and _account(item) is not None
    ]


def _held_externals(db_session: Session, items: Sequence[Parsed]) -> set[tuple[str, str]]:
    pairs = {(item.row.source, item.event.data.id) for item in items}
    rows = db_session.execute(select(Case.external_system, Case.external_id).where(
        tuple_(Case.external_system, Case.external_id).in_(pairs)))
    return {(str(system), str(external_id)) for system, external_id in rows}


def _linked(db_session: Session, items: Sequence[Parsed]) -> dict[tuple[str, str], Resident]:
    """Active residents by account; a merged or erased one is left to the full path."""
    pairs = {account for item in items if (account := _account(item)) is not None}
    rows = db_session.execute(
        select(AccountLink.provider, AccountLink.subject, Resident)
        .join(Resident, Resident.id == AccountLink.resident_id)
        .where(tuple_(AccountLink.provider, AccountLink.subject).in_(pairs),
               Resident.status == ResidentStatus.ACTIVE))
    return {(provider, subject): resident for provider, subject, resident in rows}


def _eligible(db_session: Session, parsed: Sequence[Parsed]) -> list[tuple[Parsed, Resident]]:
    candidates = _candidates(parsed)
    if not candidates:
        return []
    held = _held_externals(db_session, candidates)
    linked = _linked(db_session, candidates)
    chosen = []
    for item in candidates:
        account = _account(item)
        if (item.row.source, item.event.data.id) in held or account not in linked:
            continue
        chosen.append((item, linked[account]))
    return chosen


def _opening(item: Parsed, resident: Resident) -> cases.Opening:
    data = item.event.data
    at = data.updated_at or item.event.timestamp
    return cases.Opening(resident=resident, opened_at=min(at, utcnow()), data=CaseCreate(
        resident_id=resident.id, service_code=item.service_code or "", channel=Channel.WEB,
        kind=data.kind, subject=data.subject or "", description=data.description,
        external_system=item.row.source, external_id=data.id,
    ))


def _remembered(case: Case, at: datetime, status: CaseStatus | None) -> ExternalCaseState:
    return ExternalCaseState(case_id=case.id, remote_updated_at=at,
                             remote_status=status.value if status else None)


def open_known(
    db_session: Session, parsed: Sequence[Parsed], *, timezone: str
) -> dict[uuid.UUID, uuid.UUID]:
    """Opens, in one savepoint, the cases of the events that qualify; returns the case
    id of each applied inbox row. If the batch is refused as a whole (a twin opened
    meanwhile by another worker, a service since removed...), nothing of it stays and
    every event goes the one-by-one way."""
    chosen = _eligible(db_session, parsed)
    if not chosen:
        return {}
    by_source: dict[str, list[tuple[Parsed, Resident]]] = {}
    for item, resident in chosen:
        by_source.setdefault(item.row.source, []).append((item, resident))
    applied: dict[uuid.UUID, uuid.UUID] = {}
    savepoint = db_session.begin_nested()
    try:
        for source, items in by_source.items():
            with from_source(db_session, source):
                opened = cases.open_cases(db_session=db_session, actor=SYSTEM, openings=[
                    _opening(item, resident) for item, resident in items], timezone=timezone)
                db_session.add_all([
                    _remembered(case, item.event.data.updated_at or item.event.timestamp,
                                item.event.data.status)
                    for (item, _), case in zip(items, opened, strict=True)])
                db_session.flush()
            applied.update({item.row.id: case.id
                            for (item, _), case in zip(items, opened, strict=True)})
        savepoint.commit()
    except (DomainError, IntegrityError) as exc:
        savepoint.rollback()
        logger.info("inbox batch of %d taken one by one: %s", len(chosen), exc)
        return {}
    return applied
