"""The server seals new access-log rows into the hash chain every few seconds.

A daemon thread per API process; with several processes they take turns (the sealer's
lock), and a failed round (database restarting, SQLite busy) is logged and retried at the
next tick, never raised into the server.
"""

from __future__ import annotations

import logging

from crm_core.database.periodic import PeriodicTask
from crm_core.privacy.audit import seal_all


class PeriodicSealer(PeriodicTask):
    thread_name = "relais-audit-sealer"
    failure = "sealing the access log failed; retrying at the next tick"
    log = logging.getLogger("relais.audit")

    def seal_once(self) -> int:
        with self.session_factory() as db_session:
            sealed = seal_all(db_session=db_session)
            db_session.commit()
            return sealed

    def run_once(self) -> int:  # the log rows wait for the next round, nothing is lost
        return self.seal_once()
