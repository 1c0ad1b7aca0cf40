"""What the desk's parts may rely on from their app, and the app's way to the server.

`DeskHost` sits below the screens and the keeper (`phone_desk.keeping`): they read the
desk's state from it (client, journal, agent, services) and run server calls through
`call_server`; they tell the app what happened with `phone_desk.messages`. The app
(`phone_desk.app.PhoneDeskApp`) builds on it and is the only one to import the screens.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol, TypeVar

from textual.reactive import reactive

from crm_core.client import ApiError, ServerUnreachable
from crm_core.client.errors import ClientError
from crm_core.client.telephony import PhoneClient
from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.french import FrenchApp
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.types import Service
from phone_desk.config import DeskSettings
from phone_desk.journal import DeskJournal, ItemKind
from phone_desk.messages import SessionEnded

T = TypeVar("T")


class Keeper(Protocol):
    """What the screens use of `phone_desk.keeping.DeskKeeper`."""

    def keep(self, kind: ItemKind, payload: dict[str, Any], *, quiet: bool = False) -> None: ...
    def refresh_count(self) -> None: ...


class DeskHost(FrenchApp):
    online: reactive[bool] = reactive(False)
    agent: reactive[str] = reactive("")
    extension: reactive[str] = reactive("")
    waiting: reactive[int] = reactive(0)  # the agent's items kept for the server
    not_followed: reactive[bool] = reactive(False)  # the server refused to follow the line

    settings: DeskSettings
    client: PhoneClient
    journal: DeskJournal
    keeper: Keeper
    today: Callable[[], date]
    city: CityTime  # the city's zone, learnt at sign-in: every date shown is in it
    username: str  # the signed-in agent's login: owner of what is kept
    services: list[Service]

    def call_server(
        self, call: Callable[[], T], done: Callable[[T], None], *,
        failed: Callable[[ClientError], None] | None = None, group: str = "server",
        exclusive: bool = False, keep_on_expiry: bool = False,
    ) -> None:
        """Run `call` in a thread worker; `done` / `failed` then run on the UI thread.
        `keep_on_expiry`: a 401 goes to `failed` too, before the session ends, so that
        what the agent typed is kept (the sign-in screen replaces the form)."""

        def run() -> None:
            try:
                result = call()
            except ClientError as exc:
                self.call_from_thread(self._failure, exc, failed, keep_on_expiry)
                return
            self.call_from_thread(done, result)

        self.run_worker(run, thread=True, group=group, exclusive=exclusive)

    def _failure(self, exc: ClientError, failed: Callable[[ClientError], None] | None,
                 keep_on_expiry: bool = False) -> None:
        if isinstance(exc, ServerUnreachable):
            self.online = False
        if isinstance(exc, ApiError) and exc.status == 401 and self.client.token:
            if keep_on_expiry and failed is not None:
                failed(exc)
            self.post_message(SessionEnded())
            return
        if failed is not None:
            failed(exc)
            return
        self.say(exc.message, error=True)

    def say(self, text: str, *, error: bool = False) -> None:
        for line in self.screen.query(MessageLine):
            line.say(text, error=error)
            return
        self.notify(text, severity="error" if error else "information", markup=False)
