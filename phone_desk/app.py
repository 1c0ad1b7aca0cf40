"""The phone agents' desk: `make_app(settings, client)` builds it, `relais phone` runs it.

The live feed (a WebSocket per extension) runs in an async worker; every HTTP call runs in a
thread worker (`call_server`) and only its result touches the screen.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable
from datetime import date
from typing import Any, TypeVar

from textual import work
from textual.binding import Binding
from textual.worker import WorkerCancelled, WorkerFailed

from crm_core.client.private_files import secure_data_dir
from crm_core.client.telephony import PhoneClient
from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.key_bar import key_label
from crm_core.client.types import Me, Service
from phone_desk.config import DeskSettings
from phone_desk.drafts import Draft, draft_of
from phone_desk.feed import desk_feed
from phone_desk.host import DeskHost
from phone_desk.journal import DeskItem, DeskJournal, ItemKind
from phone_desk.keeping import DeskKeeper
from phone_desk.messages import (
    FollowCalls,
    JournalDelivered,
    LoadServices,
    SessionEnded,
    SignedIn,
)

T = TypeVar("T")
Feed = Callable[[str, str, str | None], AsyncGenerator[dict[str, Any], None]]


SESSION_ENDED_TEXT = "Session terminée : reconnectez-vous"


def _default_feed(
    server: str, token: str, extension: str | None
) -> AsyncGenerator[dict[str, Any], None]:
    return desk_feed(server, token, extension=extension)


class PhoneDeskApp(DeskHost):
    CSS_PATH = "desk.tcss"
    TITLE = "Relais — Allô mairie"
    BINDINGS = [  # noqa: RUF012
        # F10 before Ctrl+Q: at 80 columns the footer ends with them (issue 19).
        Binding("f10", "sign_out", "Déconnexion"),
        Binding("ctrl+q", "quit", "Quitter", priority=True),
        Binding("f7", "waiting", "Attente", show=False),
    ]

    keeper: DeskKeeper

    def __init__(
        self, settings: DeskSettings, client: PhoneClient, *, feed: Feed,
        journal: DeskJournal, today: Callable[[], date] | None = None,
    ) -> None:
        super().__init__()
        self.journal = journal
        self.keeper = DeskKeeper(self)
        self.username = ""
        # Forms being typed as a session ended, by agent login: reopened at their sign-in.
        self.drafts: dict[str, Draft] = {}
        self._quit_warned = False
        self._sign_out_warned = False
        self.city = CityTime()  # Paris until sign-in: the sign-in screen shows no date
        self.today = today or self.city.today
        self.settings = settings
        self.client = client
        self.feed = feed
        self.services = []
        self.last_message: dict[str, Any] | None = None

    def get_key_display(self, binding: Binding) -> str:
        """Keys as printed on keyboards (« F3 », « Ctrl+Q »), as the counter's key bar."""
        return key_label(super().get_key_display(binding))

    def on_mount(self) -> None:
        if self.client.token:
            self.call_server(self.client.me, self.signed_in)
        else:
            from phone_desk.screens.sign_in import SignInScreen

            self.push_screen(SignInScreen())

    def signed_in(self, me: Me) -> None:
        from phone_desk.screens.desk import DeskScreen

        self.username = str(me.get("username") or "")
        self.city.learn(me.get("timezone"))
        self.agent = str(me.get("display_name") or self.username)
        self._quit_warned = self._sign_out_warned = False
        self.extension = self.settings.extension or str(me.get("phone_extension") or "")
        desk = DeskScreen()
        if len(self.screen_stack) > 1:
            self.switch_screen(desk)
        else:
            self.push_screen(desk)
        # Only the agent who typed it gets it back; another agent's stays out of sight.
        if draft := self.drafts.pop(self.username, None):
            self.call_after_refresh(draft.reopen, desk, draft.fields)
        self.load_services()
        self.keeper.start()
        # The feed starts once the desk screen is mounted (DeskScreen.on_mount).

    def on_signed_in(self, message: SignedIn) -> None:
        self.signed_in(message.me)

    def on_load_services(self, _: LoadServices) -> None:
        self.load_services()

    def on_follow_calls(self, _: FollowCalls) -> None:
        self.follow_calls()

    def load_services(self) -> None:
        """Fetch the services again: at sign-in, and each time the call form opens, so a
        service added or renamed during the day is offered without a restart."""
        self.call_server(self.client.services, self._got_services, failed=lambda _: None,
                         group="services", exclusive=True)

    def _got_services(self, services: list[Service]) -> None:
        from phone_desk.screens.log_call import LogCallScreen

        self.services = services
        for screen in self.screen_stack:
            if isinstance(screen, LogCallScreen):
                screen.show_services(services)

    @work(exclusive=True, group="feed")
    async def follow_calls(self) -> None:
        assert self.client.token
        feed = self.feed(self.client.base_url, self.client.token, self.extension or None)
        # aclosing: cancelled between two messages (the app quits, the agent signs out), the
        # feed is closed now, with its socket; left to the garbage collector, it was not.
        async with contextlib.aclosing(feed) as messages:
            async for message in messages:
                self.last_message = message
                if message.get("type") == "session_ended":  # the feed stops there
                    self.end_session(feed_done=True)
                    return
                self.not_followed = message.get("type") == "refused"
                self.online = message.get("type") not in ("offline", "refused")
                if message.get("type") == "snapshot" and message.get("extension"):
                    self.extension = str(message["extension"])
                from phone_desk.screens.desk import DeskScreen

                for screen in self.screen_stack:
                    if isinstance(screen, DeskScreen):
                        screen.on_feed(message)

    def watch_online(self, online: bool) -> None:
        if online:  # the server is back: what was kept goes now, not at the next tick
            self.keeper.sync_now()

    def on_journal_delivered(self, _: JournalDelivered) -> None:
        from phone_desk.screens.desk import DeskScreen

        for screen in self.screen_stack:
            if isinstance(screen, DeskScreen):
                screen.action_refresh_lists()

    def action_waiting(self) -> None:
        from phone_desk.screens.waiting import WaitingScreen

        if self.username and not isinstance(self.screen, WaitingScreen):
            self.push_screen(WaitingScreen(self.journal.items(agent=self.username),
                                           self.keeper.others_waiting(), city=self.city),
                             self._fix_refused)

    def _fix_refused(self, item: DeskItem | None) -> None:
        """A refused call log or call-back opens again in its form, on the desk screen."""
        from phone_desk.screens.desk import DeskScreen

        for screen in self.screen_stack:
            if item is not None and isinstance(screen, DeskScreen):
                if item.kind is ItemKind.CALL_LOG:
                    screen.fix_refused_call_log(item)
                else:
                    screen.fix_refused_callback(item)

    def _kept_warning(self, again: str) -> bool:
        """Say that items wait for this agent's next sign-in; True if any wait."""
        count = self.journal.count(agent=self.username) if self.username else 0
        if count:
            plural = "s" if count > 1 else ""
            self.say(f"{count} élément{plural} pas encore envoyé{plural} : gardé{plural} sur"
                     f" ce poste jusqu'à votre prochaine connexion. {again}", error=True)
        return bool(count)

    async def action_sign_out(self) -> None:
        """F10, as at the counter: the session is closed on the server, the sign-in screen
        comes back. With items still kept, the first F10 only warns (as Ctrl+Q)."""
        if not self.username or not self.client.token:
            return
        if not self._sign_out_warned and self._kept_warning(
                "F10 de nouveau pour vous déconnecter."):
            self._sign_out_warned = True
            return
        await self.stop_feed()
        self.call_server(self.client.sign_out, lambda _: self._signed_out(""),
                         failed=lambda _: self._signed_out(SIGNED_OUT_OFFLINE))

    def _signed_out(self, reason: str) -> None:
        self.username = self.agent = ""
        self.online = False
        self.end_session(feed_done=True)
        if reason:
            self.call_after_refresh(self._tell_sign_in, reason)

    def _tell_sign_in(self, reason: str) -> None:
        from phone_desk.screens.sign_in import SignInScreen

        for screen in self.screen_stack:
            if isinstance(screen, SignInScreen):
                screen.say(reason)

    async def action_quit(self) -> None:
        """The live feed is closed first, its socket with it, while the loop still runs
        (left to the app's teardown, the socket was dropped half-way). With items still
        kept for the server, the first Ctrl+Q only warns: they leave at the next sign-in."""
        if not self._quit_warned and (self._kept_warning("Ctrl+Q de nouveau pour quitter.")
                                      or self._drafts_warning()):
            self._quit_warned = True
            return
        await self.stop_feed()
        self.exit()

    def _drafts_warning(self) -> bool:
        """A form kept from an ended session lives in memory only: quitting loses it."""
        if not self.drafts:
            return False
        names = ", ".join(draft.name.replace("Votre", "un") for draft in self.drafts.values())
        self.say(f"Session terminée avec {names} en cours de saisie : non enregistré, il sera"
                 " perdu en quittant. Ctrl+Q de nouveau pour quitter.", error=True)
        return True

    async def _on_exit_app(self) -> None:
        # Every way out closes the feed's socket while the loop runs: dropped by the
        # teardown, it was reported unclosed. `exit()` (Ctrl+Q) comes here...
        await self.stop_feed()
        await super()._on_exit_app()

    async def _shutdown(self) -> None:
        # ...and the end of a Pilot test (`run_test`) only here.
        await self.stop_feed()
        await super()._shutdown()

    async def stop_feed(self) -> None:
        self.workers.cancel_group(self, "feed")
        for worker in [w for w in self.workers if w.group == "feed"]:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()

    def on_session_ended(self, _: SessionEnded) -> None:
        self.end_session()

    def end_session(self, *, feed_done: bool = False) -> None:
        """The session is over (password changed elsewhere, account deactivated, timed
        out), the server being up: nothing of a resident stays on screen, the desk does
        not say « hors ligne », and the sign-in screen asks again."""
        from phone_desk.screens.sign_in import SignInScreen

        self.client.token = None  # refused from now on: never sent again
        self.not_followed = False
        if not feed_done:
            self.workers.cancel_group(self, "feed")
        for form in self.screen_stack:  # a form being typed: kept for this agent's return
            if draft := draft_of(form, self.username):
                self.drafts[self.username] = draft
        self._quit_warned = False  # Ctrl+Q warns again about what is now kept
        while len(self.screen_stack) > 2:  # a form open on a resident's file
            self.pop_screen()
        screen = SignInScreen()
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        self.call_after_refresh(screen.say, SESSION_ENDED_TEXT + self._kept_for_sign_in()
                                + self._draft_for_sign_in())

    def _kept_for_sign_in(self) -> str:
        """What this agent's next sign-in sends (a form saved as the session ended)."""
        count = self.journal.count(agent=self.username) if self.username else 0
        if not count:
            return ""
        plural = "s" if count > 1 else ""
        return (f". {count} élément{plural} gardé{plural} sur ce poste : envoyé{plural}"
                f" après votre reconnexion")

    def _draft_for_sign_in(self) -> str:
        draft = self.drafts.get(self.username) if self.username else None
        return f". {draft.name} en cours de saisie sera rouvert après reconnexion" if draft else ""


# The server did not answer the sign-out: the agent is told the truth (issue 19).
SIGNED_OUT_OFFLINE = ("Déconnecté de ce poste, mais le serveur est injoignable : la session"
                      " n'a pas pu y être fermée (elle expirera d'elle-même).")


def make_app(
    settings: DeskSettings, client: PhoneClient, *, feed: Feed | None = None,
    today: Callable[[], date] | None = None, journal: DeskJournal | None = None,
) -> PhoneDeskApp:
    """The desk of one seat; tests hand in a signed-in client, and may hand in a scripted
    feed, a clock and a journal."""
    if journal is None:
        secure_data_dir(settings.data_dir)  # private before anything is written in it
        journal = DeskJournal(settings.data_dir / "journal.sqlite3")
    return PhoneDeskApp(settings, client, feed=feed or _default_feed, journal=journal,
                        today=today)
