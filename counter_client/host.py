"""What the counter's parts may rely on from their app, and the app's way to the server.

`CounterHost` sits below the screens, the journal sender and the printer: they read the
day's state from it (client, journal, session, services) and run server calls through
`call_server`; they tell the app what happened with `counter_client.messages`. The app
(`counter_client.app.CounterApp`) builds on it and is the only one to import the screens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Protocol, TypeVar

from textual.reactive import reactive

from badge.card import CardReader
from counter_client.config import CounterSettings
from counter_client.gc_pause import GcPause
from counter_client.journal import Journal, SyncReport
from counter_client.messages import LoadCatalogue, Say, SessionExpired
from counter_client.session_store import StoredSession
from crm_core.client import ApiError, RelaisClient, ServerUnreachable
from crm_core.client.errors import ClientError
from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.french import FrenchApp
from crm_core.client.types import Service, Ticket

T = TypeVar("T")
logger = logging.getLogger("relais.counter")
UNEXPECTED = "Erreur inattendue : l'action n'a pas abouti. Réessayez ; rien n'a été perdu."


class Sender(Protocol):
    """The journal's way to the server, as the rest of the app sees it (`JournalSender`)."""

    def refresh_counts(self) -> None: ...
    def sync_now(self) -> None: ...
    def send_left_behind(self, author: str, done: Callable[[SyncReport], None]) -> None: ...


class CounterHost(FrenchApp):
    online: reactive[bool] = reactive(True)
    pending: reactive[int] = reactive(0)
    rejected: reactive[int] = reactive(0)
    agent: reactive[str] = reactive("")
    ticket: reactive[str] = reactive("")

    settings: CounterSettings
    client: RelaisClient
    journal: Journal
    sender: Sender
    card_reader: CardReader | None
    gc_pause: GcPause
    today: Callable[[], date]
    city: CityTime  # the city's zone, learnt at sign-in: every date shown is in it
    session: StoredSession | None
    # (username, name) of the last agent signed in: owns what is saved as a session
    # ends, so it is never sent under the next agent's name.
    last_agent: tuple[str, str] | None
    services: list[Service]
    site_name: str
    current_ticket: Ticket | None

    # What the app itself decides (a line to say, a session ended, the catalogue to
    # reload) is posted as a `counter_client.messages` message, never called.

    def say_later(self, text: str, *, error: bool = False) -> None:
        """Words for the agent on the screen on top; safe from a worker thread."""
        self.post_message(Say(text, error=error))

    def services_missing(self) -> str:
        """Why the service list is not there yet, and what the agent can do."""
        if not self.online:
            return ("Liste des services pas encore chargée : le serveur est injoignable."
                    " Elle se chargera d'elle-même à son retour ; réessayez alors.")
        self.post_message(LoadCatalogue())
        return "Liste des services en cours de chargement : réessayez dans un instant."

    # -- talking to the server --------------------------------------------------------

    def call_server(
        self, call: Callable[[], T], done: Callable[[T], None], *,
        failed: Callable[[ClientError], None] | None = None, group: str = "server",
        exclusive: bool = False,
    ) -> None:
        """Run `call` in a thread worker; `done`/`failed` then run on the UI thread."""

        def work() -> None:
            try:
                result = call()
            except ServerUnreachable as exc:
                self.call_from_thread(self.went_offline)
                self.call_from_thread(failed or self._default_failure, exc)
                return
            except ClientError as exc:
                self.call_from_thread(self._api_failure, exc, failed)
                return
            except Exception:  # a bug or an unexpected answer: said plainly, logged
                logger.exception("counter action failed")
                self.say_later(UNEXPECTED, error=True)
                return
            self.call_from_thread(self.came_back)
            self.call_from_thread(done, result)

        self.run_worker(work, thread=True, group=group, exclusive=exclusive)

    def _api_failure(
        self, exc: ClientError, failed: Callable[[ClientError], None] | None
    ) -> None:
        self.came_back()
        if isinstance(exc, ApiError) and exc.status == 401 and self.session is not None:
            self.post_message(SessionExpired())
            return
        (failed or self._default_failure)(exc)

    def _default_failure(self, exc: ClientError) -> None:
        self.say_later(exc.message, error=True)

    def went_offline(self) -> None:
        if self.online:
            self.online = False
            self.notify("Serveur injoignable : les visites et demandes sont gardées ici et"
                        " seront envoyées dès son retour.", severity="warning", timeout=8)

    def came_back(self) -> None:
        if not self.online:
            self.online = True
            self.notify("Serveur de nouveau joignable.")
            self.sender.sync_now()
            self.post_message(LoadCatalogue())
