"""The access log made trustworthy: a hash chain over its rows, verified and purged.

Every access-log row becomes one link of a SHA-256 chain (`access_log_seal`): the link's
hash covers the previous link's hash and the row's canonical form, so changing, deleting
or inserting a row anywhere breaks every later link. The database refuses UPDATE and
DELETE on the log and the chain (triggers, migration 0007) except what the retention purge
is allowed to delete; the chain catches what someone with enough rights does anyway.

Rows are sealed shortly after they are written, not in the request that writes them: the
summary path stays one insert, and concurrent requests never queue behind a chain head.
One sealer at a time (an advisory lock on PostgreSQL, the write lock on SQLite) seals the
rows it finds, in id order; a transaction that commits late is sealed late, never missed.

A chain alone cannot show that its newest links were cut off: `verify` prints the head
(sequence and hash) so that it can be kept elsewhere, and `expect_head` checks it later.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from crm_core.privacy.models import AccessLog, AccessLogSeal, AuditPurge

GENESIS = hashlib.sha256(b"relais access log").hexdigest()
SEAL_BATCH = 5_000
# Rows are looked for above (highest sealed id - LOOKBACK): a transaction that took a
# lower id and commits after that many newer rows were sealed would be found by `verify`
# as unsealed, not silently dropped.
LOOKBACK = 100_000
_ADVISORY_KEY = 0x52454C41  # "RELA"

_ROW_COLUMNS = (
    AccessLog.id, AccessLog.occurred_at, AccessLog.agent_id, AccessLog.resident_id,
    AccessLog.operation, AccessLog.site_id, AccessLog.channel, AccessLog.reason,
)


def _uuid_text(value: Any, *, compact: bool) -> str | None:
    if value is None:
        return None
    parsed = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    return parsed.hex if compact else str(parsed)


def canonical(row: Sequence[Any], *, compact_ids: bool = False) -> bytes:
    """One row as bytes, the same on both engines and whatever the reader's types (UTC,
    microseconds, hyphenated UUIDs, JSON-quoted). `compact_ids`: the bare-hex UUIDs that
    `relais audit seal` wrote before every model was loaded at start-up (see
    `crm_core.app.models`); the same values, so still accepted by `verify`."""
    log_id, occurred_at, agent_id, resident_id, operation, site_id, channel, reason = row
    return json.dumps(
        [
            log_id, occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            _uuid_text(agent_id, compact=compact_ids),
            _uuid_text(resident_id, compact=compact_ids),
            getattr(operation, "value", operation),
            _uuid_text(site_id, compact=compact_ids),
            getattr(channel, "value", channel), reason,
        ],
        ensure_ascii=False, separators=(",", ":"),
    ).encode()


def link_hash(previous: str, row: Sequence[Any], *, compact_ids: bool = False) -> str:
    return hashlib.sha256(
        previous.encode() + b"\n" + canonical(row, compact_ids=compact_ids)
    ).hexdigest()


def _link_holds(previous: str, row: Sequence[Any], stored: str) -> bool:
    return stored in (link_hash(previous, row), link_hash(previous, row, compact_ids=True))


def _anchor(db_session: Session) -> tuple[int, str]:
    """Where the chain starts now: the last purge's anchor, or the genesis."""
    purge = db_session.execute(
        select(AuditPurge.up_to_seq, AuditPurge.anchor_hash)
        .order_by(AuditPurge.up_to_seq.desc()).limit(1)
    ).first()
    return (purge[0], purge[1]) if purge else (0, GENESIS)


def _head(db_session: Session) -> tuple[int, str]:
    last = db_session.execute(
        select(AccessLogSeal.seq, AccessLogSeal.chain_hash)
        .order_by(AccessLogSeal.seq.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else _anchor(db_session)


def _lock(db_session: Session) -> None:
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
    # SQLite: every transaction starts with BEGIN IMMEDIATE, already one writer at a time.


def seal_pending(*, db_session: Session, limit: int = SEAL_BATCH) -> int:
    """Seal up to `limit` unsealed rows; returns how many. The caller commits."""
    _lock(db_session)
    seq, previous = _head(db_session)
    highest = db_session.scalar(select(func.max(AccessLogSeal.log_id))) or 0
    sealed = select(AccessLogSeal.log_id).where(AccessLogSeal.log_id == AccessLog.id)
    rows = db_session.execute(
        select(*_ROW_COLUMNS)
        .where(AccessLog.id > highest - LOOKBACK, ~sealed.exists())
        .order_by(AccessLog.id).limit(limit)
    ).all()
    if not rows:
        return 0
    now = datetime.now(UTC)
    links = []
    for row in rows:
        seq += 1
        previous = link_hash(previous, row)
        links.append({"seq": seq, "log_id": row[0], "chain_hash": previous, "sealed_at": now})
    db_session.execute(insert(AccessLogSeal), links)
    return len(links)


def seal_all(*, db_session: Session) -> int:
    total = 0
    while count := seal_pending(db_session=db_session):
        total += count
    return total


@dataclass
class AuditReport:
    """What `verify` found. `problems` are French sentences for the supervisor."""

    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    unsealed: int = 0
    purged_up_to: int = 0
    problems: list[str] = field(default_factory=list)
    head_problem: str | None = None  # with `expect_head`: None when the head was found

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def head(self) -> str:
        return f"{self.head_seq}:{self.head_hash}"


def verify(
    *, db_session: Session, expect_head: str | None = None, page: int = 10_000
) -> AuditReport:
    """Recompute the chain from the last purge anchor; report every break."""
    start, previous = _anchor(db_session)
    report = AuditReport(head_seq=start, head_hash=previous, purged_up_to=start)
    expected_seq = start + 1
    after = start
    while True:
        links = db_session.execute(
            select(AccessLogSeal.seq, AccessLogSeal.log_id, AccessLogSeal.chain_hash,
                   *_ROW_COLUMNS[1:])
            .outerjoin(AccessLog, AccessLog.id == AccessLogSeal.log_id)
            .where(AccessLogSeal.seq > after).order_by(AccessLogSeal.seq).limit(page)
        ).all()
        if not links:
            break
        for seq, log_id, stored, *rest in links:
            if seq != expected_seq:
                report.problems.append(
                    f"maillons {expected_seq} à {seq - 1} de la chaîne supprimés"
                )
            if rest[0] is None:  # occurred_at is never NULL: the outer join found no row
                report.problems.append(f"ligne {log_id} (maillon {seq}) supprimée du journal")
            else:
                if not _link_holds(previous, (log_id, *rest), stored):
                    report.problems.append(
                        f"ligne {log_id} (maillon {seq}) modifiée, ou chaîne réécrite"
                    )
            previous, expected_seq = stored, seq + 1
            report.checked += 1
        after = links[-1][0]
    report.head_seq, report.head_hash = expected_seq - 1, previous
    report.unsealed = _count_unsealed(db_session)
    if expect_head is not None:
        _check_expected_head(db_session, expect_head, report)
    return report


def _count_unsealed(db_session: Session) -> int:
    sealed = select(AccessLogSeal.log_id).where(AccessLogSeal.log_id == AccessLog.id)
    # FROM access_log said outright: without it the count had no table to count over,
    # and read 1 whenever any row was unsealed (0 over an empty log).
    return db_session.scalar(
        select(func.count()).select_from(AccessLog).where(~sealed.exists())
    ) or 0


UNREADABLE_HEAD = "tête attendue illisible (forme : NUMÉRO:EMPREINTE)"
_HEX = frozenset("0123456789abcdef")


def parse_head(text: str) -> tuple[int, str] | None:
    """A head as `verify` prints it (`NUMBER:HASH`, 64 hex digits), or None: callers check
    it before reading the whole chain, not after."""
    seq_text, _, expected_hash = text.strip().lower().partition(":")
    if not seq_text.isascii() or not seq_text.isdigit() or len(expected_hash) != 64 \
            or not set(expected_hash) <= _HEX:
        return None
    return int(seq_text), expected_hash


def _check_expected_head(db_session: Session, expect_head: str, report: AuditReport) -> None:
    """The verdict on a head kept elsewhere goes first among the problems: on a big
    log it must not be lost behind thousands of row anomalies."""
    report.head_problem = _expected_head_problem(db_session, expect_head, report)
    if report.head_problem is not None:
        report.problems.insert(0, report.head_problem)


def _expected_head_problem(
    db_session: Session, expect_head: str, report: AuditReport
) -> str | None:
    parsed = parse_head(expect_head)
    if parsed is None:
        return UNREADABLE_HEAD
    seq, expected_hash = parsed
    if seq <= report.purged_up_to:
        return None  # purged since: nothing left to compare it with
    stored = db_session.scalar(select(AccessLogSeal.chain_hash).where(AccessLogSeal.seq == seq))
    if stored is None:
        last = db_session.scalar(select(func.max(AccessLogSeal.seq))) or 0
        if seq > last:  # never there, or cut off: this run cannot tell which
            return (f"le maillon {seq} n'existe pas : la chaîne s'arrête au maillon {last}."
                    " La tête notée est peut-être mal recopiée, ou la fin de la chaîne a été"
                    " coupée")
        return f"le maillon {seq} noté auparavant a disparu (fin de chaîne coupée)"
    if stored != expected_hash:
        return f"le maillon {seq} ne porte plus l'empreinte notée auparavant"
    return None


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    up_to_seq: int
    rows: int
    dry_run: bool


def purge(*, db_session: Session, cutoff: datetime, dry_run: bool = False) -> PurgeReport:
    """Delete the rows older than `cutoff` from the start of the chain, keeping it
    verifiable: the hash at the last purged link becomes the new anchor. Only a prefix of
    the chain goes, so a row newer than the cutoff holds back any row sealed after it."""
    seal_all(db_session=db_session)
    start, _ = _anchor(db_session)
    first_kept = db_session.scalar(
        select(func.min(AccessLogSeal.seq))
        .join(AccessLog, AccessLog.id == AccessLogSeal.log_id)
        .where(AccessLog.occurred_at >= cutoff)
    )
    last_seq = db_session.scalar(select(func.max(AccessLogSeal.seq))) or start
    up_to = max(start, (first_kept - 1) if first_kept is not None else last_seq)
    count = db_session.scalar(
        select(func.count()).where(AccessLogSeal.seq > start, AccessLogSeal.seq <= up_to)
    ) or 0
    if dry_run or count == 0:
        return PurgeReport(cutoff=cutoff, up_to_seq=up_to, rows=count, dry_run=dry_run)
    anchor = db_session.scalar(select(AccessLogSeal.chain_hash).where(AccessLogSeal.seq == up_to))
    # The purge record comes first: the triggers allow deleting only what it covers.
    db_session.add(AuditPurge(cutoff=cutoff, up_to_seq=up_to, anchor_hash=anchor,
                              rows_deleted=count))
    db_session.flush()
    purged_ids = select(AccessLogSeal.log_id).where(AccessLogSeal.seq <= up_to)
    db_session.execute(delete(AccessLog).where(AccessLog.id.in_(purged_ids)))
    db_session.execute(delete(AccessLogSeal).where(AccessLogSeal.seq <= up_to))
    return PurgeReport(cutoff=cutoff, up_to_seq=up_to, rows=count, dry_run=False)
