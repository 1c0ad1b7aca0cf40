"""The delivery worker: claim due outbox rows under a lease, send, record the outcome.

- Claiming is one short transaction: due rows whose lease is free are stamped with this
  worker's id and a lease (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's
  `BEGIN IMMEDIATE` serialises writers), so two workers never hold the same row.
- The batch is sent in parallel (one wave, each send bounded by the timeout, itself
  shorter than the lease: concurrent posts on one event loop for a batch transport,
  else a thread pool), then every outcome is written in one transaction, each only if
  this worker still holds its lease (all successes in one statement).
- A worker killed mid-batch loses nothing: its rows come back when the lease expires, and
  are sent again with the same `webhook-id`, which the receiver uses to apply them once.
- Failures are retried with exponential backoff and ±20 % jitter along the Standard
  Webhooks schedule (5 s … 24 h), for `RELAIS_OUTBOUND_RETRY_HOURS` (≥ 72 h); 410 Gone
  stops delivery to that target altogether.
"""

from __future__ import annotations

import logging
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from crm_core.database.base import utcnow
from integrations.enums import OutboxStatus
from integrations.models import DisabledTarget, OutboxEvent
from integrations.outbox.transport import BatchTransport, Outgoing, SendResult, Transport
from integrations.settings import IntegrationSettings

logger = logging.getLogger("relais.integrations.outbox")
SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]  # seconds
JITTER = 0.2
PARALLEL = 32  # sends in flight per worker: one wave per claimed batch


@dataclass
class Report:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    gone: int = 0
    claimed: int = 0
    errors: list[str] = field(default_factory=list)


def next_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    base = SCHEDULE[min(max(attempts, 1), len(SCHEDULE)) - 1]
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    return timedelta(seconds=base * factor)


def webhook_id(event_id: uuid.UUID) -> str:
    return f"msg_{event_id.hex}"


def claim(
    db_session: Session, *, worker_id: str, batch: int, lease: timedelta, now: datetime
) -> list[OutboxEvent]:
    """Stamps up to `batch` due rows with this worker's lease and returns them: one
    `UPDATE … WHERE id IN (due rows, SKIP LOCKED) RETURNING` statement, then commit."""
    disabled = select(DisabledTarget.target)
    due = (
        select(OutboxEvent.id)
        .where(OutboxEvent.status == OutboxStatus.PENDING, OutboxEvent.available_at <= now,
               or_(OutboxEvent.locked_until.is_(None), OutboxEvent.locked_until < now),
               OutboxEvent.target.not_in(disabled))
        .order_by(OutboxEvent.available_at, OutboxEvent.created_at)
        .limit(batch)
    )
    if db_session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = list(db_session.scalars(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(due.scalar_subquery()))
        .values(locked_by=worker_id, locked_until=now + lease)
        .returning(OutboxEvent)
        .execution_options(synchronize_session=False)
    ))
    db_session.commit()
    rows.sort(key=lambda row: (row.available_at, row.created_at))
    return rows


def _release(
    db_session: Session, ids: list[uuid.UUID], *, worker_id: str, values: dict[str, object]
) -> int:
    """Writes one outcome for rows this worker still holds; returns how many it held."""
    done = db_session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(ids), OutboxEvent.locked_by == worker_id)
        .values(attempts=OutboxEvent.attempts + 1, locked_by=None, locked_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    held = int(done.rowcount)  # type: ignore[attr-defined]
    if held < len(ids):
        logger.warning("outbox: %d lease(s) lost before the outcome was written",
                       len(ids) - held)
    return held


def _record_delivered(
    db_session: Session, rows: list[OutboxEvent], *, worker_id: str, report: Report,
    now: datetime,
) -> None:
    """Every success of a batch in one statement (the common case)."""
    if rows:
        _release(db_session, [row.id for row in rows], worker_id=worker_id,
                 values={"status": OutboxStatus.DELIVERED, "delivered_at": now,
                         "last_error": None})
        report.delivered += len(rows)


def _record(
    db_session: Session, row: OutboxEvent, result: SendResult, *, worker_id: str,
    settings: IntegrationSettings, report: Report, now: datetime,
) -> None:
    """The outcome of one failed send: retry later, stop on 410, or give up."""
    values: dict[str, object] = {"last_error": result.error}
    if result.status_code == 410:
        values.update(status=OutboxStatus.GONE)
        report.gone += 1
        if db_session.get(DisabledTarget, row.target) is None:
            db_session.add(DisabledTarget(target=row.target, reason="HTTP 410 Gone"))
            db_session.flush()
        logger.warning("target %s answered 410 Gone: delivery disabled", row.target)
    elif result.permanent or now - row.created_at > timedelta(hours=settings.outbound_retry_hours):
        values.update(status=OutboxStatus.FAILED)
        report.failed += 1
        logger.error("outbox %s to %s failed for good: %s", row.id, row.target, result.error)
    else:
        values.update(available_at=now + next_delay(row.attempts + 1))
        report.retried += 1
        logger.info("outbox %s to %s: %s, will retry", row.id, row.target, result.error)
    _release(db_session, [row.id], worker_id=worker_id, values=values)


def _send(transport: Transport, settings: IntegrationSettings, row: OutboxEvent) -> SendResult:
    config = settings.webhook_sources.get(row.target)
    if config is None:
        return SendResult(ok=False, error="source non configurée", permanent=True)
    try:
        return transport.send(config, Outgoing(
            event_id=webhook_id(row.id), target=row.target, event_type=row.event_type,
            payload=row.payload))
    except Exception as exc:  # a transport bug must not lose the batch's other outcomes
        logger.exception("outbox %s: transport failed", row.id)
        return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])


def _send_batch(
    transport: BatchTransport, settings: IntegrationSettings, rows: list[OutboxEvent]
) -> list[SendResult]:
    results: list[SendResult | None] = [None] * len(rows)
    items, positions = [], []
    for n, row in enumerate(rows):
        config = settings.webhook_sources.get(row.target)
        if config is None:
            results[n] = SendResult(ok=False, error="source non configurée", permanent=True)
            continue
        items.append((config, Outgoing(event_id=webhook_id(row.id), target=row.target,
                                       event_type=row.event_type, payload=row.payload)))
        positions.append(n)
    try:
        sent = transport.send_many(items) if items else []
    except Exception as exc:  # a transport bug must not lose the batch: all retried
        logger.exception("outbox: batch transport failed")
        sent = [SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])] * len(items)
    for n, result in zip(positions, sent, strict=True):
        results[n] = result
    return [r for r in results if r is not None]


def deliver_due(
    *, session_factory: sessionmaker[Session], transport: Transport,
    settings: IntegrationSettings, worker_id: str | None = None, batch: int = PARALLEL,
    pool: ThreadPoolExecutor | None = None,
) -> Report:
    """One pass: claim a batch, send it in parallel, record the outcomes together.
    A long-running worker passes its own `pool` (threads kept between passes)."""
    worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
    report = Report()
    lease = timedelta(seconds=settings.outbound_lease_seconds)
    with session_factory() as db_session:
        rows = claim(db_session, worker_id=worker_id, batch=batch, lease=lease, now=utcnow())
        report.claimed = len(rows)
        if not rows:
            return report
        if isinstance(transport, BatchTransport):
            results = _send_batch(transport, settings, rows)
        elif pool is None:
            with ThreadPoolExecutor(max_workers=min(len(rows), PARALLEL)) as own:
                results = list(own.map(lambda row: _send(transport, settings, row), rows))
        else:
            results = list(pool.map(lambda row: _send(transport, settings, row), rows))
        now = utcnow()
        delivered = [row for row, result in zip(rows, results, strict=True) if result.ok]
        _record_delivered(db_session, delivered, worker_id=worker_id, report=report, now=now)
        for row, result in zip(rows, results, strict=True):
            if result.error:
                report.errors.append(result.error)
            if not result.ok:
                _record(db_session, row, result, worker_id=worker_id, settings=settings,
                        report=report, now=now)
        db_session.commit()
    return report
