"""A durable print queue: the counter keeps working when the printer is off or out of paper.

Jobs (already rendered ESC/POS bytes) go into a SQLite spool file chosen by the caller and
are sent in submission order. A job that cannot be sent stays in the spool and the queue
stops there (receipts must not come out of order); :meth:`PrintQueue.flush`, called again
later (a timer, the printer coming back), resumes from it.

Never twice. A job moves ``pending -> sending -> (deleted)`` and each step is committed
before the next action, so:

* refused before any byte left (printer off, no paper): back to ``pending``, retried;
* connection cut while sending: the printout is incomplete, so it is sent again whole;
* the application dies between "sent" and "deleted": at the next start the job is found
  in ``sending`` and becomes ``uncertain``. It is not resent automatically; the agent
  checks the printer tray and calls :meth:`PrintQueue.requeue` or :meth:`PrintQueue.discard`.

Never for the wrong person. A job may name whom it was made for (``resident_id``). A
:meth:`PrintQueue.flush` given a ``hold`` rule stops before a job the rule refuses (made
too long ago, or for someone no longer at the desk) and, if the printer could print it
now, reports it as ``held``: the caller
asks the agent, then calls :meth:`PrintQueue.release` (print it anyway) or
:meth:`PrintQueue.discard`. A released job is never held again.

One process owns a spool at a time (an exclusive ``flock`` on ``<spool>.lock``): that is
what makes ``sending`` at start-up mean "interrupted". Printed jobs are deleted, keeping
no copy of receipts (which name a case) longer than needed. The spool, its lock and the
folder are created readable by their owner only (0600, 0700), whatever the umask.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from badge.errors import PrinterError, SpoolBusy
from badge.printing.transport import PrinterTransport

__all__ = ["FlushReport", "HoldRule", "JobState", "PrintJob", "PrintQueue"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS print_job (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    label TEXT NOT NULL,
    data BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'uncertain')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    resident_id TEXT,
    released INTEGER NOT NULL DEFAULT 0
);
"""
# Spools written before jobs named their resident get the columns added.
_ADDED_COLUMNS = {"resident_id": "TEXT", "released": "INTEGER NOT NULL DEFAULT 0"}
_SELECT_JOBS = (
    "SELECT id, label, state, attempts, last_error, created_at, length(data), resident_id,"
    " released, data FROM print_job"
)

HoldRule = Callable[["PrintJob"], bool]


class JobState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: int
    label: str
    state: JobState
    attempts: int
    last_error: str | None
    created_at: datetime
    size: int
    resident_id: str | None = None
    released: bool = False  # the agent chose to print it: no hold rule applies any more


@dataclass
class FlushReport:
    """Outcome of one :meth:`PrintQueue.flush`: what printed, what still waits, and why."""

    printed: list[int] = field(default_factory=list)
    waiting: int = 0
    error: PrinterError | None = None
    held: PrintJob | None = None  # the job the hold rule stopped at, for the agent to decide


class PrintQueue:
    """Spooled, ordered, at-most-once-when-sent printing to one printer."""

    def __init__(self, *, spool: Path | str, transport: PrinterTransport) -> None:
        self.spool = Path(spool)
        self.transport = transport
        self._lock = threading.Lock()
        self._lock_file: IO[bytes] | None = self._acquire_spool(self.spool)
        try:
            # Created private before SQLite opens it; SQLite gives its side files this mode.
            os.close(os.open(self.spool, os.O_RDWR | os.O_CREAT, 0o600))
            self._db = sqlite3.connect(self.spool, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.executescript(_SCHEMA)
            present = {row[1] for row in self._db.execute("PRAGMA table_info(print_job)")}
            for column, kind in _ADDED_COLUMNS.items():
                if column not in present:
                    self._db.execute(f"ALTER TABLE print_job ADD COLUMN {column} {kind}")
            # Whatever was being sent when the last owner stopped may or may not be on paper.
            self._db.execute("UPDATE print_job SET state = 'uncertain' WHERE state = 'sending'")
        except BaseException:
            self._release_spool()
            raise

    # --- lifecycle -------------------------------------------------------------------

    @staticmethod
    def _acquire_spool(spool: Path) -> IO[bytes]:
        spool.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(f"{spool}.lock", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        lock_file = os.fdopen(descriptor, "ab")  # held until close()
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock_file.close()
            raise SpoolBusy(detail=f"{spool} is locked by another process") from None
        return lock_file

    def _release_spool(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def close(self) -> None:
        with self._lock:
            if self._lock_file is None:
                return
            self._db.close()
            self._release_spool()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- jobs ------------------------------------------------------------------------

    def submit(
        self, data: bytes, *, label: str, resident_id: str | None = None, flush: bool = True,
        hold: HoldRule | None = None,
    ) -> FlushReport:
        """Add a job at the end of the queue, then try to print what is waiting."""
        if not data:
            raise ValueError("empty print job")
        with self._lock:
            self._db.execute(
                "INSERT INTO print_job (label, data, state, created_at, resident_id) "
                "VALUES (?, ?, 'pending', ?, ?)",
                (label, data, datetime.now(UTC).isoformat(), resident_id),
            )
        return self.flush(hold=hold) if flush else FlushReport(waiting=self._count_pending())

    def flush(self, *, hold: HoldRule | None = None) -> FlushReport:
        """Send pending jobs in order; stop at the first one the printer refuses, or the
        first one ``hold`` refuses (reported as ``held``, left pending)."""
        report = FlushReport()
        with self._lock:
            while (job := self._claim_next(hold)) is not None:
                if isinstance(job, PrintJob):
                    try:  # held jobs are only worth asking about once they could print
                        self.transport.check()
                    except PrinterError as error:
                        report.error = error
                    else:
                        report.held = job
                    break
                job_id, data = job
                try:
                    self.transport.send(data)
                except PrinterError as error:
                    self._db.execute(
                        "UPDATE print_job SET state = 'pending', last_error = ? WHERE id = ?",
                        (f"{error.code}: {error.detail}", job_id),
                    )
                    report.error = error
                    break
                except BaseException:
                    # Unknown outcome (a bug, an interrupt): let the agent decide.
                    self._db.execute(
                        "UPDATE print_job SET state = 'uncertain' WHERE id = ?", (job_id,)
                    )
                    raise
                self._db.execute("DELETE FROM print_job WHERE id = ?", (job_id,))
                report.printed.append(job_id)
            report.waiting = self._count_pending()
        return report

    def _claim_next(self, hold: HoldRule | None) -> tuple[int, bytes] | PrintJob | None:
        row = self._db.execute(
            _SELECT_JOBS + " WHERE state = 'pending' ORDER BY id LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        job = _job(row)
        if hold is not None and not job.released and hold(job):
            return job
        # Committed before the first byte is sent: see "Never twice" above.
        self._db.execute(
            "UPDATE print_job SET state = 'sending', attempts = attempts + 1 WHERE id = ?",
            (row[0],),
        )
        return job.id, bytes(row[-1])

    def _count_pending(self) -> int:
        (count,) = self._db.execute(
            "SELECT count(*) FROM print_job WHERE state = 'pending'"
        ).fetchone()
        return int(count)

    def jobs(self) -> list[PrintJob]:
        """Jobs still in the spool (waiting or uncertain), oldest first."""
        with self._lock:
            rows = self._db.execute(_SELECT_JOBS + " ORDER BY id").fetchall()
        return [_job(row) for row in rows]

    def release(self, job_id: int) -> None:
        """A held job: the agent wants it printed now, wherever it is in the queue."""
        self._resolve(
            job_id, "UPDATE print_job SET state = 'pending', released = 1 WHERE id = ?"
        )

    def requeue(self, job_id: int) -> None:
        """An uncertain job did not come out: print it again (in its original place)."""
        self._resolve(job_id, "UPDATE print_job SET state = 'pending' WHERE id = ?")

    def discard(self, job_id: int) -> None:
        """An uncertain job did come out (or is no longer wanted): forget it."""
        self._resolve(job_id, "DELETE FROM print_job WHERE id = ?")

    def _resolve(self, job_id: int, statement: str) -> None:
        with self._lock:
            row = self._db.execute("SELECT state FROM print_job WHERE id = ?", (job_id,)).fetchone()
            if row is None or row[0] == JobState.SENDING:
                raise KeyError(f"no print job {job_id} to resolve")
            self._db.execute(statement, (job_id,))

    def run_retry_loop(
        self, *, stop: threading.Event, interval: float = 30.0, hold: HoldRule | None = None
    ) -> None:
        """Flush every ``interval`` seconds until ``stop`` is set (for a worker thread)."""
        while not stop.wait(interval):
            self.flush(hold=hold)


def _job(row: tuple[object, ...]) -> PrintJob:
    return PrintJob(
        id=int(str(row[0])), label=str(row[1]), state=JobState(str(row[2])),
        attempts=int(str(row[3])), last_error=None if row[4] is None else str(row[4]),
        created_at=datetime.fromisoformat(str(row[5])), size=int(str(row[6])),
        resident_id=None if row[7] is None else str(row[7]), released=bool(row[8]),
    )
