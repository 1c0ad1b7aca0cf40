"""The counter's side of the print queue: submit, retry in the background, never print a
waiting job silently for someone else.

A job remembers whom it was made for and when. Jobs the printer refused (off, no paper)
are retried every `print_retry_seconds` by a thread worker, so they come out as soon as
the printer is back, without the agent pressing anything. A job that waited longer than
`print_max_wait_minutes`, or whose resident is no longer on screen, is held: the agent is
asked (print now, or discard) instead of it coming out at someone else's desk.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from badge.errors import PrinterError
from badge.printing import FlushReport, PrintJob, PrintQueue
from badge.printing.queue import HoldRule

if TYPE_CHECKING:
    from counter_client.host import CounterHost

logger = logging.getLogger("relais.counter")
DEDUPE_SECONDS = 5.0  # a second P within this time is the same press, not a new receipt


class CounterPrinter:
    def __init__(self, app: CounterHost, queue: PrintQueue | None, *,
                 resident_on_screen: Callable[[], str | None]) -> None:
        """`resident_on_screen`: the resident whose file is open, read on the UI thread."""
        self.app = app
        self.resident_on_screen = resident_on_screen
        self.queue = queue
        self._asking: set[int] = set()
        self._recent: dict[tuple[str, str], float] = {}  # (label, resident) -> sent at

    def start(self) -> None:
        if self.queue is not None:
            self.app.set_interval(self.app.settings.print_retry_seconds, self.retry)

    def hold_rule(self) -> HoldRule:
        """The rule for the jobs sent from now: read on the UI thread, applied in a worker."""
        on_screen = self.resident_on_screen()
        max_wait = timedelta(minutes=self.app.settings.print_max_wait_minutes)

        def hold(job: PrintJob) -> bool:
            too_old = datetime.now(UTC) - job.created_at > max_wait
            return too_old or job.resident_id is None or job.resident_id != on_screen

        return hold

    def submit(self, data: bytes, *, label: str, resident_id: str) -> None:
        queue = self.queue
        if queue is None:
            self.app.say_later("Aucune imprimante n'est configurée sur ce poste.", error=True)
            return
        now = time.monotonic()
        key = (label, resident_id)
        recent = now - self._recent.get(key, -DEDUPE_SECONDS) < DEDUPE_SECONDS
        if not recent:
            self._recent = {k: t for k, t in self._recent.items() if now - t < DEDUPE_SECONDS}
            self._recent[key] = now
        hold = self.hold_rule()

        def work() -> None:
            # Still in the spool (printer off): say it waits, not that it was printed.
            if any(j.label == label and j.resident_id == resident_id for j in queue.jobs()):
                self.app.say_later(
                    f"« {label} » attend déjà l'imprimante : il partira"
                    " dès son retour et n'est pas ajouté une seconde fois.")
                return
            if recent:
                self.app.say_later(
                    f"« {label} » vient déjà d'être imprimé :"
                    " il n'est pas imprimé une seconde fois.")
                return
            try:
                report = queue.submit(data, label=label, resident_id=resident_id, hold=hold)
            except PrinterError as exc:
                self.app.say_later(exc.message_fr, error=True)
                return
            self.app.call_from_thread(self._submitted, report, label)

        self.app.run_worker(work, thread=True, group="print")

    def _submitted(self, report: FlushReport, label: str) -> None:
        if report.held is not None:
            self.ask(report.held)
            self.app.say_later(f"Impression de « {label} » en attente : un document plus"
                                " ancien est à confirmer.")
        elif report.error is not None:
            self.app.say_later(
                f"{report.error.message_fr} Impression mise en attente ({report.waiting}"
                " document(s)) : elle partira d'elle-même au retour de l'imprimante.",
                error=True)
        else:
            self.app.say_later(f"Impression : {label}.")

    def retry(self) -> None:
        """Timer: send what waits, in a worker (the printer may take seconds to answer)."""
        from counter_client.screens.held_print import HeldPrintScreen

        queue = self.queue
        if self.app.session is None:
            return  # nobody signed in: nothing prints, nobody is asked; jobs wait
        if self._asking and not any(isinstance(s, HeldPrintScreen) for s in self.app.screen_stack):
            self._asking.clear()  # closed unanswered (a scan reset the screens): ask again
        if queue is None or self._asking:
            return
        hold = self.hold_rule()

        def work() -> None:
            try:
                report = queue.flush(hold=hold)
            except Exception:  # the spool keeps the jobs; the next round retries
                logger.exception("print retry failed")
                return
            if report.printed or report.held is not None:
                self.app.call_from_thread(self._retried, report)

        self.app.run_worker(work, thread=True, group="print-retry", exclusive=True)

    def signed_out(self) -> None:
        """F10: the question closes with the screens (unanswered); the job stays in the
        spool for the next signed-in agent to decide."""
        self._asking.clear()

    def _retried(self, report: FlushReport) -> None:
        if report.printed:
            self.app.say_later(
                f"Imprimante de retour : {len(report.printed)} document(s) imprimé(s).")
        if report.held is not None:
            self.ask(report.held)

    def ask(self, job: PrintJob) -> None:
        from counter_client.screens.held_print import HeldPrintScreen

        if job.id in self._asking or self.app.session is None:
            return
        self._asking.add(job.id)
        minutes = self.app.settings.print_max_wait_minutes
        self.app.push_screen(HeldPrintScreen(job, max_wait_minutes=minutes,
                                             city=self.app.city),
                             lambda choice: self._decided(job, choice))

    def _decided(self, job: PrintJob, print_it: bool | None) -> None:
        queue = self.queue
        assert queue is not None

        def work() -> None:
            try:
                if print_it:
                    queue.release(job.id)
                else:
                    queue.discard(job.id)
            except KeyError:  # already gone (printed or discarded meanwhile)
                pass
            self.app.call_from_thread(self._asked, job)

        self.app.run_worker(work, thread=True, group="print")

    def _asked(self, job: PrintJob) -> None:
        self._asking.discard(job.id)
        self.retry()
