"""What the desk keeps while the server is away, and how it goes out once it is back.

A call log or a call-back the server could not take is written to the desk's journal
(phone_desk.journal) under the agent who made it; a timer offers it again, in that agent's
session only, and the desk says when it arrives or why it was refused.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from crm_core.client import ApiError, ServerUnreachable
from crm_core.client.errors import ClientError
from phone_desk.journal import DeskSyncReport, ItemKind
from phone_desk.messages import JournalDelivered, SessionEnded

if TYPE_CHECKING:
    from phone_desk.host import DeskHost

logger = logging.getLogger("relais.phone")

KEPT = {
    ItemKind.CALL_LOG: "Serveur injoignable : appel gardé sur ce poste, il sera envoyé dès "
                       "le retour du serveur (F7 : en attente).",
    ItemKind.CALLBACK: "Serveur injoignable : rappel gardé sur ce poste, il sera envoyé dès "
                       "le retour du serveur (F7 : en attente).",
}


def session_expired(exc: ClientError) -> bool:
    """The session ended (expired, revoked): kept for the agent's next sign-in."""
    return isinstance(exc, ApiError) and exc.status == 401


def server_away(exc: ClientError) -> bool:
    """The server did not take it, and will later: unreachable, or failing for now."""
    return isinstance(exc, ServerUnreachable) or (
        isinstance(exc, ApiError) and (exc.status >= 500 or exc.status in (408, 429)))


class DeskKeeper:
    def __init__(self, app: DeskHost) -> None:
        self.app = app
        self._timer_started = False

    def start(self) -> None:
        if not self._timer_started:
            self._timer_started = True
            self.app.set_interval(self.app.settings.sync_interval_seconds, self.sync_now)
        self.refresh_count()
        self.sync_now()

    def keep(self, kind: ItemKind, payload: dict[str, Any], *, quiet: bool = False) -> None:
        """Durably keep what the server could not take, and tell the agent so (`quiet`:
        the session ended, the sign-in screen says it instead)."""
        app = self.app
        app.journal.add(kind, payload, agent=app.username, agent_name=app.agent)
        self.refresh_count()
        if not quiet:
            app.say(KEPT[kind])

    def refresh_count(self) -> None:
        self.app.waiting = self.app.journal.count(agent=self.app.username)

    def others_waiting(self) -> str:
        """« 2 en attente de Léa Martin » for items other agents made on this desk."""
        parts = [f"{count} en attente de {name}"
                 for name, count in self.app.journal.waiting_for_others(self.app.username)]
        if not parts:
            return ""
        return "; ".join(parts) + " : envoyés à leur prochaine connexion sur ce poste."

    def sync_now(self) -> None:
        app = self.app
        if not app.client.token or not app.username or not app.journal.count(
                agent=app.username):
            return
        agent = app.username
        app.run_worker(lambda: self._sync(agent), thread=True, group="journal",
                       exclusive=False)

    def _sync(self, agent: str) -> None:
        try:
            report = self.app.journal.sync(self.app.client, agent=agent)
        except Exception:  # the journal keeps everything; the next round retries
            logger.exception("desk journal sync failed")
            return
        self.app.call_from_thread(self._synced, report)

    def _synced(self, report: DeskSyncReport) -> None:
        app = self.app
        self.refresh_count()
        if report.sent:
            count = len(report.sent)
            app.say(f"{count} élément{'s' if count > 1 else ''} gardé{'s' if count > 1 else ''}"
                    f" sur ce poste envoyé{'s' if count > 1 else ''} au serveur.")
            app.post_message(JournalDelivered())
        for item in report.rejected:
            app.notify(f"Refusé par le serveur : {item.error} (F7 pour voir)",
                       severity="error", timeout=10, markup=False)
        if report.auth_expired and app.client.token:
            app.post_message(SessionEnded())
