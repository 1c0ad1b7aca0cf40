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
import threading
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from crm_core.reports.rollup import FoldResult, fold_all, local_today, prune_presence

log = logging.getLogger("relais.reports")


class PeriodicFolder:
    def __init__(self, session_factory: sessionmaker[Session], interval_seconds: float) -> None:
        self.session_factory = session_factory
        self.interval = interval_seconds
        self._pruned_on: date | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relais-report-folder",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def fold_once(self) -> FoldResult:
        """Fold the whole journal (one commit), and prune once a day."""
        with self.session_factory() as db_session:
            folded = fold_all(db_session=db_session)
            today = local_today()
            if self._pruned_on != today:
                prune_presence(db_session=db_session, today=today)
            db_session.commit()
        self._pruned_on = today
        return folded

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.fold_once()
            except Exception:  # the next tick retries; the journal keeps what was not folded
                log.exception("folding the reports' journal failed; retrying at the next tick")
