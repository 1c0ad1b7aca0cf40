"""The server seals new access-log rows into the hash chain every few seconds.

A daemon thread per API process; with several processes they take turns (the sealer's
lock), and a failed round (database restarting, SQLite busy) is logged and retried at the
next tick, never raised into the server.
"""

from __future__ import annotations

import logging
import time

from crm_core.database.periodic import PeriodicTask
from crm_core.privacy.audit import SEAL_BATCH, seal_pending


class PeriodicSealer(PeriodicTask):
    thread_name = "relais-audit-sealer"
    failure = "sealing the access log failed; retrying at the next tick"
    log = logging.getLogger("relais.audit")

    def seal_once(self) -> int:
        """Seal every new row, one commit per batch, resting between batches on SQLite,
        whose one write lock a long chore would keep from the counters."""
        sealed = 0
        with self.session_factory() as db_session:
            shared_lock = db_session.get_bind().dialect.name == "sqlite"
            while True:
                started = time.perf_counter()
                count = seal_pending(db_session=db_session)
                db_session.commit()
                sealed += count
                if count < SEAL_BATCH or (shared_lock and not self.breathe(started)):
                    return sealed

    def run_once(self) -> int:  # the log rows wait for the next round, nothing is lost
        return self.seal_once()
