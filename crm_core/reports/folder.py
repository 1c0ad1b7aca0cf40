"""The server folds the reports' journal every few seconds, so that no operator timer is
needed and the tail a report folds before it reads stays small.

A daemon thread per API process (`RELAIS_REPORT_FOLD_SECONDS`, 0: off). Several
processes fold side by side safely: on PostgreSQL each takes journal rows no other
folder holds (`FOR UPDATE SKIP LOCKED`) and upserts cells in key order (no deadlock);
SQLite serves one process and serialises writers. Once per local day the folder also
drops the presence sets of closed periods. A failed round (database restarting, SQLite
busy) is logged and retried at the next tick: the journal rows stay until a fold commits.
"""

from __future__ import annotations

import logging
import time
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from crm_core.config import city_today
from crm_core.database.periodic import PeriodicTask
from crm_core.reports.rollup import (
    FOLD_BATCH,
    FoldResult,
    fold_pending,
    prune_presence,
)

SQLITE_BATCH = 200  # about 0.1 s of SQLite's write lock on this machine


class PeriodicFolder(PeriodicTask):
    thread_name = "relais-report-folder"
    failure = "folding the reports' journal failed; retrying at the next tick"
    log = logging.getLogger("relais.reports")

    def __init__(self, session_factory: sessionmaker[Session], interval_seconds: float,
                 *, timezone: str) -> None:
        super().__init__(session_factory, interval_seconds)
        self.timezone = timezone
        self._pruned_on: date | None = None

    def fold_once(self) -> FoldResult:
        """Fold the whole journal, one commit per batch, and prune once a day.

        On SQLite, short batches with a rest between them: a backlog folded in one
        transaction (after an import, or a server that was down) would hold the database's
        only write lock for seconds, and the counters' visits would wait behind it.
        PostgreSQL locks rows, not the database: there, big batches back to back."""
        folded = FoldResult()
        with self.session_factory() as db_session:
            shared_lock = db_session.get_bind().dialect.name == "sqlite"
            limit = SQLITE_BATCH if shared_lock else FOLD_BATCH
            while True:
                started = time.perf_counter()
                step = fold_pending(db_session=db_session, timezone=self.timezone, limit=limit)
                db_session.commit()
                folded.deltas += step.deltas
                folded.facts += step.facts
                folded.cells += step.cells
                if step.deltas < limit or (shared_lock and not self.breathe(started)):
                    break
            today = city_today(self.timezone)
            if self._pruned_on != today:
                prune_presence(db_session=db_session, today=today)
            db_session.commit()
        self._pruned_on = today
        return folded

    def run_once(self) -> FoldResult:  # the journal keeps what a failed round did not fold
        return self.fold_once()
