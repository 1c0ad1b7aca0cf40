"""A server's periodic database chore: a daemon thread per API process that runs one
round every few seconds, in its own session. A failed round (database restarting, SQLite
busy) is logged and retried at the next tick, never raised into the server."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod

from sqlalchemy.orm import Session, sessionmaker


class PeriodicTask(ABC):
    """Subclasses say what one round does (`run_once`) and how a failure reads."""

    thread_name = "relais-periodic"
    failure = "a periodic round failed; retrying at the next tick"
    log = logging.getLogger("relais")

    def __init__(self, session_factory: sessionmaker[Session], interval_seconds: float) -> None:
        self.session_factory = session_factory
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def breathe(self, batch_started: float) -> bool:
        """Between two batches of a round, rest as long as the batch took (up to a second):
        on SQLite a chore that took the write lock back at once would starve the
        counters' writes, which retry only every few milliseconds. False once stopping."""
        worked = time.perf_counter() - batch_started
        return not self._stop.wait(min(worked, 1.0))

    @abstractmethod
    def run_once(self) -> object:
        """One round, in its own session and commit."""

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:  # the next tick retries; what was not done stays to do
                self.log.exception(self.failure)
