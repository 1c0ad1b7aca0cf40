"""Inbound events acknowledged on receipt, processed by the worker (Standard Webhooks'
advice: answer fast, process asynchronously).

- `accept_many()` runs after the signature, timestamp and shape checks of the route,
  for the group of requests waiting (`acks.py`): one `INSERT … ON CONFLICT DO NOTHING
  RETURNING` stores the verified bodies in the inbox; a redelivery of a known id (same
  body) is acknowledged as a duplicate, the same id with another body refused — the
  idempotency key is taken at once, never after processing.
- `process_pending()` is one worker pass (`relais worker` commits it): pending rows are
  locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` serialises
  writers) and turned into cases in the same transaction that marks them processed, so
  each takes effect exactly once and a worker killed mid-batch leaves them pending for the
  next. New requests from residents known by their account are opened set-wise
  (`batch.py`); every other event runs in its own savepoint: one refused event (unknown
  service, …) is recorded as such without undoing the others.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from crm_core.cases.models import Case
from crm_core.database.base import utcnow
from crm_core.exceptions import Conflict, DomainError
from crm_core.validation_messages import french_errors, french_summary
from integrations.exceptions import EventIdReused, UnknownSource
from integrations.inbound.batch import Parsed, open_known
from integrations.inbound.schemas import CaseEvent, IngestResult
from integrations.inbound.service import Delivery, apply_case_event, digest
from integrations.models import InboxEvent
from integrations.outbox.hooks import from_source
from integrations.settings import IntegrationSettings

logger = logging.getLogger("relais.integrations")
MAX_ATTEMPTS = 5  # lost races (a twin event opening the same case) before giving up


def _insert_pending(dialect: str) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (insert(InboxEvent).on_conflict_do_nothing(index_elements=["source", "event_id"])
            .returning(InboxEvent.source, InboxEvent.event_id))


# Built once per engine kind, with bound parameters: a statement rebuilt with `.values()`
# each time cost a fresh cache key, and the ORM's bulk path, on every webhook.
_INSERT_PENDING = {dialect: _insert_pending(dialect) for dialect in ("postgresql", "sqlite")}

Accepted = IngestResult | Exception  # what one delivery of a group gets: its result, or why not


def accept(*, db_session: Session, delivery: Delivery) -> IngestResult:
    """Stores one verified delivery for the worker; flushes, the caller commits."""
    [outcome] = accept_many(db_session=db_session, deliveries=[delivery])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


@dataclass
class Group:
    """Deliveries about to be stored together: their digests and the first of each id."""

    deliveries: Sequence[Delivery]
    digests: list[str]
    first: dict[tuple[str, str], int]  # (source, event id) -> index of its first delivery
    received_at: datetime

    @classmethod
    def of(cls, deliveries: Sequence[Delivery]) -> Group:
        first: dict[tuple[str, str], int] = {}
        for index, delivery in enumerate(deliveries):
            first.setdefault((delivery.source, delivery.event_id), index)
        return cls(deliveries, [digest(d.body) for d in deliveries], first, utcnow())

    def rows(self) -> list[dict[str, Any]]:
        """One inbox row per distinct id."""
        return [{"id": uuid.uuid4(), "source": self.deliveries[index].source,
                 "event_id": self.deliveries[index].event_id,
                 "body_sha256": self.digests[index], "received_at": self.received_at,
                 "attempts": 0, "payload": self.deliveries[index].body.decode("utf-8")}
                for index in self.first.values()]

    def outcomes(
        self, stored: set[tuple[str, str]], known: dict[tuple[str, str], tuple[str, str | None]]
    ) -> list[Accepted]:
        """Given the ids the insert stored and what the others were stored with before."""
        outcomes: list[Accepted] = []
        for index, delivery in enumerate(self.deliveries):
            key = (delivery.source, delivery.event_id)
            if key in stored and self.first[key] == index:
                outcomes.append(IngestResult(status="accepted"))
            else:  # known before, or a twin of an earlier delivery of this group
                earlier = known.get(key) or (self.digests[self.first[key]], None)
                outcomes.append(_twin(delivery, self.digests[index], earlier))
        return outcomes


def accept_many(*, db_session: Session, deliveries: Sequence[Delivery]) -> list[Accepted]:
    """Stores verified deliveries for the worker, in one multi-row insert; flushes, the
    caller commits. A delivery whose id is already known (stored before, or earlier in
    the same group) is a duplicate when its body is the same, refused otherwise."""
    connection = db_session.connection()
    group = Group.of(deliveries)
    stored = {(source, event_id) for source, event_id in connection.execute(
        _INSERT_PENDING[connection.dialect.name], group.rows())}
    return group.outcomes(stored, _known(db_session, [k for k in group.first if k not in stored]))


def _known(
    db_session: Session, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str | None]]:
    """The body digest and case reference of already stored ids."""
    if not keys:
        return {}
    found = db_session.execute(
        select(InboxEvent.source, InboxEvent.event_id, InboxEvent.body_sha256, Case.reference)
        .outerjoin(Case, Case.id == InboxEvent.case_id)
        .where(InboxEvent.source.in_({source for source, _ in keys}),
               InboxEvent.event_id.in_([event_id for _, event_id in keys]))
    )
    return {(source, event_id): (sha, reference) for source, event_id, sha, reference in found}


def _twin(delivery: Delivery, sha: str, known: tuple[str, str | None]) -> Accepted:
    if known[0] != sha:
        logger.warning("event id %s reused by %s with another body", delivery.event_id,
                       delivery.source)
        return EventIdReused(
            "Cet identifiant d'événement a déjà servi pour un autre contenu : refusé",
            event_id=delivery.event_id,
        )
    return IngestResult(status="duplicate", case_reference=known[1])


@dataclass
class InboxReport:
    claimed: int = 0
    processed: int = 0
    refused: int = 0
    retried: int = 0
    outcomes: list[str] = field(default_factory=list)


def _claim(db_session: Session, batch: int) -> list[InboxEvent]:
    due = (select(InboxEvent).where(InboxEvent.payload.is_not(None))
           .order_by(InboxEvent.received_at).limit(batch))
    if db_session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    return list(db_session.scalars(due))


Outcome = tuple[InboxEvent, uuid.UUID | None, str | None]  # row, case, refusal


def _process_one(
    db_session: Session, row: InboxEvent, settings: IntegrationSettings, report: InboxReport,
    *, timezone: str, phone_region: str,
) -> Outcome | None:
    """Applies one event in a savepoint; returns its outcome, None to retry it later."""
    config = settings.webhook_sources.get(row.source)
    savepoint = db_session.begin_nested()
    try:
        if config is None:
            raise UnknownSource(f"Source « {row.source} » plus configurée")
        event = CaseEvent.model_validate(orjson.loads(row.payload or ""))
        with from_source(db_session, row.source):
            result, case = apply_case_event(
                db_session=db_session, source=row.source, data=event.data,
                at=event.data.updated_at or event.timestamp,
                default_service=config.default_service, timezone=timezone,
                phone_region=phone_region,
            )
        savepoint.commit()
    except (IntegrityError, Conflict) as exc:  # a twin event opened the same case meanwhile: retry
        savepoint.rollback()
        row.attempts += 1
        report.retried += 1
        if row.attempts < MAX_ATTEMPTS:
            logger.info("inbox %s/%s lost a race, will retry: %s", row.source, row.event_id,
                        type(exc).__name__)
            return None
        report.refused += 1
        return row, None, "Conflit répété à l'enregistrement"
    except (DomainError, ValidationError, orjson.JSONDecodeError) as exc:  # refused: kept
        savepoint.rollback()
        detail = _refusal(exc)
        logger.warning("inbox event %s from %s refused: %s", row.event_id, row.source, detail)
        report.refused += 1
        report.outcomes.append("refused")
        return row, None, detail[:500]
    report.processed += 1
    report.outcomes.append(result.status)
    logger.info("inbox %s from %s: %s %s", row.event_id, row.source, result.status,
                result.case_reference)
    return row, case.id, None


def _refusal(exc: Exception) -> str:
    """Why a stored event is refused, in French (shown to agents reviewing the inbox)."""
    if isinstance(exc, DomainError):
        return exc.detail
    if isinstance(exc, ValidationError):
        return "Événement invalide — " + french_summary(french_errors(exc.errors(), skip=()))
    return "Corps de l'événement : JSON invalide"


def _parsed(row: InboxEvent, settings: IntegrationSettings) -> Parsed | None:
    """The event of a row, for the set-wise path; None leaves it to `_process_one`, which
    records why it is refused."""
    config = settings.webhook_sources.get(row.source)
    if config is None:
        return None
    try:
        event = CaseEvent.model_validate(orjson.loads(row.payload or ""))
    except (ValidationError, orjson.JSONDecodeError):
        return None
    return Parsed(row=row, event=event, service_code=event.data.service or config.default_service)


def _done(row: InboxEvent, case_id: uuid.UUID | None, error: str | None) -> None:
    row.case_id = case_id
    row.error = error
    row.payload = None  # the body held personal data only until it was applied
    row.processed_at = utcnow()


def process_pending(
    *, db_session: Session, settings: IntegrationSettings, timezone: str, phone_region: str,
    batch: int = 64,
) -> InboxReport:
    """One pass: lock up to `batch` pending events and apply them; flushes, the caller
    commits (the locks are held until then: no other worker takes these rows).
    `timezone` and `phone_region`: the city's, for the cases and residents it makes."""
    report = InboxReport()
    rows = _claim(db_session, batch)
    report.claimed = len(rows)
    applied = open_known(db_session, [p for row in rows if (p := _parsed(row, settings))],
                         timezone=timezone)
    outcomes: list[Outcome | None] = []
    for row in rows:
        if row.id in applied:
            report.processed += 1
            report.outcomes.append("created")
            outcomes.append((row, applied[row.id], None))
        else:
            outcomes.append(_process_one(db_session, row, settings, report, timezone=timezone,
                                         phone_region=phone_region))
    # Marked together once all are applied: one batched UPDATE (a savepoint flushes the
    # session when it begins, so marking each row as it went cost one statement apiece).
    for outcome in outcomes:
        if outcome is not None:
            _done(*outcome)
    db_session.flush()
    return report
