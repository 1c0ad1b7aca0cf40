"""The journal's way to the server, and the top line's view of it.

Visits and requests are written to the journal, then sent by a thread worker; the agent
is told which it is once the first attempt is known: "enregistrée" only when the server
has it, "gardée sur ce poste" when it could not be reached. A light `/health` call while
idle keeps the top line true even when nothing waits to be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from counter_client.journal import EntryKind, EntryState, SyncReport
from counter_client.messages import ResidentChanged, SessionExpired
from crm_core.client import ApiError, ServerUnreachable

if TYPE_CHECKING:
    from counter_client.host import CounterHost

logger = logging.getLogger("relais.counter")


@dataclass(frozen=True)
class Announcement:
    """What to tell the agent once the entry's first attempt is known."""

    sent: str  # "Visite enregistrée."
    kept: str  # "Visite gardée sur ce poste : elle sera envoyée dès le retour du réseau."
    delivered: str = ""  # "Visite de Camille DURAND envoyée." once a kept entry arrives


class JournalSender:
    def __init__(self, app: CounterHost) -> None:
        self.app = app
        self._announce: dict[str, Announcement] = {}
        self._later: dict[str, str] = {}  # kept entries: what to say once they arrive

    def start(self) -> None:
        settings = self.app.settings
        self.app.set_interval(settings.sync_interval_seconds, self.sync_now)
        self.app.set_interval(settings.health_interval_seconds, self.check_line)

    def write(self, kind: EntryKind, payload: dict[str, Any], *, say: Announcement) -> None:
        """Durably keep a visit or a new request, then try to send it at once."""
        # Owned by whoever made it, even if the session ended meanwhile (last_agent).
        author = self.app.last_agent
        entry = self.app.journal.add(kind, payload, agent=author[0] if author else None,
                                     agent_name=author[1] if author else None)
        if self.app.online:
            self._announce[entry.key] = say
            self.app.say_later("Enregistré sur ce poste, envoi au serveur…")
        else:
            self.app.say_later(say.kept)
            self._later[entry.key] = say.delivered or say.sent
        self.refresh_counts()
        self.sync_now()

    def refresh_counts(self) -> None:
        """Counts of the signed-in agent's entries (or of no one's when signed out)."""
        session = self.app.session
        agent = session.username if session else None
        self.app.pending = self.app.journal.count(EntryState.PENDING, agent=agent)
        # Refused entries: a supervisor sees everyone's, an agent only their own ("": no
        # one signed in, only entries of files older than owners).
        self.app.rejected = self.app.journal.count(
            EntryState.REJECTED, agent=None if session and session.supervisor else agent or "")

    def others_waiting(self) -> str:
        """« 2 éléments en attente de Léa Martin » for entries other agents made; a
        supervisor is told how to send or discard them (F8)."""
        session = self.app.session
        waiting = self.app.journal.left_behind(session.username if session else None)
        if not waiting:
            return ""
        if session is not None and session.supervisor:
            total = sum(w.count for w in waiting)
            names = ", ".join(f"{w.agent_name} : {w.count}" for w in waiting)
            return (f"{total} élément{'s' if total > 1 else ''} en attente d'autres agents"
                    f" ({names}). F8 pour les transmettre ou les écarter.")
        parts = [f"{w.count} élément{'s' if w.count > 1 else ''} en attente de {w.agent_name}"
                 for w in waiting]
        return ("; ".join(parts) + " : ils partiront quand cette personne se reconnectera"
                " sur ce poste (ou un responsable d'accueil, F8, si elle ne revient pas).")

    def send_left_behind(self, author: str, done: Callable[[SyncReport], None]) -> None:
        """A supervisor sends what `author` left here (see Journal.send_left_behind)."""
        session = self.app.session
        if session is None or not session.supervisor:
            return
        by = session.display_name

        def work() -> None:
            try:
                report = self.app.journal.send_left_behind(self.app.client, author=author,
                                                           by=by)
            except Exception:  # the journal keeps everything; the supervisor may retry
                logger.exception("sending another agent's entries failed")
                report = SyncReport(unreachable=True)
            answered = bool(report.sent or report.rejected or report.auth_expired)
            self.app.call_from_thread(self._synced, report, answered)
            self.app.call_from_thread(done, report)

        self.app.run_worker(work, thread=True, group="left-behind", exclusive=True)

    def sync_now(self) -> None:
        session = self.app.session
        if session is None:
            return
        if not self.app.journal.count(agent=session.username) and self.app.online:
            return
        agent = session.username
        self.app.run_worker(lambda: self._sync(agent), thread=True, group="sync",
                            exclusive=False)

    def _sync(self, agent: str) -> None:
        app = self.app
        try:
            report = app.journal.sync(app.client, agent=agent)
        except Exception:  # the journal keeps everything; the next round retries
            logger.exception("journal sync failed")
            return
        # The line goes back online only on a real answer: an empty journal (nothing
        # tried), a busy sync or a refused connection proves nothing, so ask /health.
        answered = bool(report.sent or report.rejected or report.auth_expired)
        if not answered:
            answered = self._server_answers()
            if report.unreachable:
                report.unreachable = not answered
        app.call_from_thread(self._synced, report, answered)

    def _server_answers(self) -> bool:
        try:  # nothing sent still tells us whether the server is back
            self.app.client.health()
        except (ServerUnreachable, ApiError):
            return False
        return True

    def _synced(self, report: SyncReport, answered: bool) -> None:
        app = self.app
        self.refresh_counts()
        for entry in report.sent:
            if (say := self._announce.pop(entry.key, None)) is not None:
                app.say_later(say.sent)
            elif (delivered := self._later.pop(entry.key, None)) is not None:
                app.say_later(delivered)  # replaces "gardée sur ce poste"
        if report.unreachable:
            for key, say in self._announce.items():
                app.say_later(say.kept)
                self._later[key] = say.delivered or say.sent
            self._announce.clear()
            app.went_offline()
        elif answered:
            app.came_back()
        else:
            app.went_offline()
        if report.auth_expired and app.session is not None:
            app.post_message(SessionExpired())
        for entry in report.rejected:
            self._announce.pop(entry.key, None)
            self._later.pop(entry.key, None)
            app.notify(f"Refusé par le serveur : {entry.error} (F7 pour voir)",
                       severity="error", timeout=10, markup=False)
        if report.sent:
            app.post_message(ResidentChanged())

    def check_line(self) -> None:
        """Timer: while idle, ask the server how it is, so the top line follows it."""
        if self.app.session is None:
            return
        token = self.app.session.token

        def work() -> None:
            answers = self._server_answers()
            self.app.call_from_thread(
                self.app.came_back if answers else self.app.went_offline)
            if answers:
                self._check_session(token)

        self.app.run_worker(work, thread=True, group="health", exclusive=True)

    def _check_session(self, token: str) -> None:
        """A deactivation or a password change ends the session on the server: noticed
        within a few seconds while idle, with a call that does not count as activity."""
        try:
            self.app.client.session_alive()
        except ApiError as exc:
            if exc.status == 401:
                self.app.post_message(SessionExpired(token))
        except ServerUnreachable:
            pass  # the next health check says so
