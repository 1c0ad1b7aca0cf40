"""The server seals new access-log rows into the hash chain every few seconds.

A daemon thread per API process; with several processes they take turns (the sealer's
lock), and a failed round (database restarting, SQLite busy) is logged and retried at the
next tick, never raised into the server.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from crm_core.privacy.audit import seal_all

log = logging.getLogger("relais.audit")


class PeriodicSealer:
    def __init__(self, session_factory: sessionmaker[Session], interval_seconds: float) -> None:
        self.session_factory = session_factory
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relais-audit-sealer",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def seal_once(self) -> int:
        with self.session_factory() as db_session:
            sealed = seal_all(db_session=db_session)
            db_session.commit()
            return sealed

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.seal_once()
            except Exception:  # the next tick retries; the log rows wait, nothing is lost
                log.exception("sealing the access log failed; retrying at the next tick")
