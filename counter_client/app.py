"""The counter agents' app: `make_app(settings, client)` builds it, `relais counter` runs it.

Every call to the server or to a device runs in a thread worker (`call_server`); handlers
only change the screen. Visits and new requests go through the offline journal first,
then to the server, so the app keeps working when the network drops.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual.binding import Binding
from textual.theme import Theme

from badge.card import CardReader
from badge.printing import PrintQueue
from counter_client.card_watch import CardWatching
from counter_client.config import CounterSettings
from counter_client.desk import QueueAndPrinting
from counter_client.gc_pause import GcPause
from counter_client.journal import Journal
from counter_client.messages import (
    JournalChanged,
    KeepInJournal,
    LoadCatalogue,
    OpenResident,
    ResidentChanged,
    Say,
    SessionExpired,
    ShowResident,
    SignedIn,
)
from counter_client.printer import CounterPrinter
from counter_client.sending import Announcement, JournalSender
from counter_client.session_store import SessionStore, StoredSession
from crm_core.client import RelaisClient
from crm_core.client.errors import ClientError
from crm_core.client.private_files import repair_warning, secure_data_dir
from crm_core.client.tui.cases_table import same_reference
from crm_core.client.tui.city_time import CityTime
from crm_core.client.types import Case, Me, ResidentSummary, Service, Site

SESSION_ENDED = ("Session terminée par le serveur (compte désactivé, mot de passe changé,"
                 " déconnexion ailleurs ou inactivité) : reconnectez-vous.")

HIGH_CONTRAST = Theme(
    name="relais-contraste", primary="#FFFF00", secondary="#00FFFF", accent="#FFFFFF",
    foreground="#FFFFFF", background="#000000", surface="#000000", panel="#1A1A1A",
    success="#00FF00", warning="#FFFF00", error="#FF5555", dark=True,
)


class CounterApp(QueueAndPrinting, CardWatching):
    CSS_PATH = "counter.tcss"
    TITLE = "Relais — Accueil"
    BINDINGS = [  # noqa: RUF012
        Binding("f1", "help", "Aide"),
        Binding("f2", "toggle_contrast", "Contraste"),
        Binding("f7", "refused", "Refusés"),
        Binding("f8", "left_behind", "Autres agents", show=False),
        Binding("f10", "sign_out", "Déconnexion"),
        Binding("ctrl+q", "quit", "Quitter", priority=True),
    ]

    sender: JournalSender

    def __init__(
        self, settings: CounterSettings, client: RelaisClient, *, journal: Journal,
        sessions: SessionStore, card_reader: CardReader | None = None,
        print_queue: PrintQueue | None = None, today: Callable[[], date] | None = None,
        data_dir_repaired: list[Path] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.client = client
        self.journal = journal
        self.sessions = sessions
        self.card_reader = card_reader
        self.print_queue = print_queue
        self.printer = CounterPrinter(self, print_queue,
                                      resident_on_screen=self.resident_on_screen)
        self.sender = JournalSender(self)
        self.data_dir_repaired = data_dir_repaired or []
        self.city = CityTime()  # Paris until sign-in: the sign-in screen shows no date
        self.today = today or self.city.today
        self.session = None
        self.last_agent = None
        self.services = []
        self.site_name = ""
        self.current_ticket = None
        self.gc_pause = GcPause(self)

    # -- start, sign in, sign out -----------------------------------------------------

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        if self.settings.theme == "contraste":
            self.theme = HIGH_CONTRAST.name
        self.sender.refresh_counts()
        if self.data_dir_repaired:
            self.notify(repair_warning(self.data_dir_repaired), severity="warning", timeout=30,
                        markup=False)
        stored = self.sessions.load(server_url=self.client.base_url)
        if stored is None:
            self._show_sign_in()
        else:
            self.client.token = stored.token
            self._start_day(stored)
            self.call_server(self.client.me, self._got_me)
        self.sender.start()
        self.printer.start()
        if self.card_reader is not None:
            self.run_worker(self._watch_card_reader, thread=True, group="card", name="card")
        self.call_after_refresh(self.gc_pause.freeze_startup)

    def _show_sign_in(self, reason: str = "") -> None:
        from counter_client.screens.sign_in import SignInScreen

        self.switch_or_push(SignInScreen(reason))
        self.call_after_refresh(self._forget_resident)

    def _forget_resident(self) -> None:
        """The resident screen is installed once and refilled: drop it with its data."""
        if (self.is_screen_installed("resident")
                and self.get_screen("resident") not in self.screen_stack):
            self.uninstall_screen("resident")

    def switch_or_push(self, screen: Any) -> None:
        if len(self.screen_stack) > 1:
            while len(self.screen_stack) > 2:
                self.pop_screen()
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def on_signed_in(self, message: SignedIn) -> None:
        stored = self.sessions.save(server_url=self.client.base_url, session=message.session,
                                    username=message.username)
        self._start_day(stored)

    def _got_me(self, me: Me) -> None:
        """A resumed session: the server's zone may have changed since it was stored."""
        self.city.learn(me.get("timezone"))

    def _start_day(self, stored: StoredSession) -> None:
        from counter_client.screens.home import HomeScreen

        self.session = stored
        self.city.learn(stored.timezone)
        self.last_agent = (stored.username, stored.display_name)
        site = f" · {stored.site_code}" if stored.site_code else ""
        self.agent = f"{stored.display_name}{site}"
        self.switch_or_push(HomeScreen())
        self.load_catalogue()
        self.sender.refresh_counts()
        if others := self.sender.others_waiting():
            self.notify(others, severity="warning", timeout=15, markup=False)
        self.sender.sync_now()

    def on_load_catalogue(self, _: LoadCatalogue) -> None:
        self.load_catalogue()

    def load_catalogue(self) -> None:
        """Fetch what the day needs and is not loaded yet; called again when the server
        comes back, so a start while offline does not need a restart."""
        if self.session is None:
            return
        if not self.services:
            self.call_server(self.client.services, self._got_services, failed=lambda _: None)
        if not self.site_name:
            self.call_server(self.client.sites, self._got_sites, failed=lambda _: None)

    def _got_services(self, services: list[Service]) -> None:
        self.services = services

    def _got_sites(self, sites: list[Site]) -> None:
        code = self.session.site_code if self.session else None
        self.site_name = next((s["name"] for s in sites if s["code"] == code), "")

    def action_sign_out(self) -> None:
        if self.session is None:
            return
        waiting = self.journal.count(agent=self.session.username)
        if not waiting:
            self._sign_out()
            return
        from counter_client.screens.sign_out import SignOutScreen

        def answered(leave: bool | None) -> None:
            if leave:
                self._sign_out()

        if not isinstance(self.screen, SignOutScreen):
            self.push_screen(SignOutScreen(waiting), answered)

    def _sign_out(self) -> None:
        if self.session is None:
            return

        def unreachable(_: ClientError) -> None:
            # Not a success: the line stays offline. The token lapses on the server (TTL),
            # and the agent is told so rather than left believing it was closed.
            self.client.token = None
            self._show_sign_in(SIGNED_OUT_OFFLINE)

        self.sessions.clear()
        self.session = None
        self.agent = ""
        self.printer.signed_out()
        self.sender.refresh_counts()
        self.call_server(self.client.sign_out, lambda _: self._show_sign_in(),
                         failed=unreachable)

    def on_session_expired(self, message: SessionExpired) -> None:
        """The server refused the token (401): sign-out elsewhere, password change,
        deactivation, inactivity or end of the day. No resident stays on screen."""
        token = message.token
        if self.session is None or (token is not None and token != self.session.token):
            return  # a check made with an earlier session's token
        self.sessions.clear()
        self.session = None
        self.agent = ""
        self.client.token = None
        self.printer.signed_out()
        self.sender.refresh_counts()
        self._show_sign_in(SESSION_ENDED)

    # -- what screens tell the app (counter_client.messages) --------------------------

    def screen_say(self, text: str, *, error: bool = False) -> None:
        from counter_client.screens.base import CounterScreen

        screen = self.screen
        if isinstance(screen, CounterScreen):
            screen.say(text, error=error)
        else:
            self.notify(text, severity="error" if error else "information", markup=False)

    # -- the journal (counter_client.sending) -----------------------------------------

    def on_keep_in_journal(self, message: KeepInJournal) -> None:
        """Durably keep a visit or a new request; the agent hears `sent` once the server
        has it, `kept` if it could not be reached, then `delivered` when it arrives."""
        self.sender.write(message.kind, message.payload, say=Announcement(
            sent=message.sent, kept=message.kept, delivered=message.delivered))

    def on_journal_changed(self, _: JournalChanged) -> None:
        self.sender.refresh_counts()
        self.sender.sync_now()

    def action_refused(self) -> None:
        from counter_client.screens.refused import RefusedScreen

        if not isinstance(self.screen, RefusedScreen):
            self.push_screen(RefusedScreen())

    def action_left_behind(self) -> None:
        from counter_client.screens.left_behind import ONLY_SUPERVISORS, LeftBehindScreen

        if self.session is None or not self.session.supervisor:
            self.screen_say(ONLY_SUPERVISORS, error=True)
        elif not isinstance(self.screen, LeftBehindScreen):
            self.push_screen(LeftBehindScreen())

    def on_resident_changed(self, message: ResidentChanged) -> None:
        from counter_client.screens.resident import ResidentScreen

        for screen in self.screen_stack:
            if isinstance(screen, ResidentScreen):
                if message.recent_case is not None:
                    screen.recent_case = message.recent_case
                screen.reload()

    # -- opening a resident -----------------------------------------------------------

    def on_say(self, message: Say) -> None:
        self.screen_say(message.text, error=message.error)

    def on_show_resident(self, message: ShowResident) -> None:
        self.show_resident(message.summary)

    def on_open_resident(self, message: OpenResident) -> None:
        self.open_resident(message.resident_id, case_reference=message.case_reference)

    def show_resident(self, summary: ResidentSummary, *, case_reference: str | None = None,
                      looked_up_case: Case | None = None) -> None:
        """`looked_up_case`: the case looked up by `case_reference` when it is not among
        the open ones (resolved, closed): shown too, so that S acts on it."""
        from counter_client.screens.confirm_card import ConfirmCardScreen
        from counter_client.screens.resident import ResidentScreen

        screen = self.screen
        if isinstance(screen, ResidentScreen):
            screen.show(summary, case_reference=case_reference, looked_up_case=looked_up_case)
        else:
            while len(self.screen_stack) > 2:
                self.pop_screen()
            # One resident screen, installed once and refilled: composing its tables
            # again at each scan would cost more than the lookup itself.
            if not self.is_screen_installed("resident"):
                self.install_screen(ResidentScreen(summary, case_reference=case_reference,
                                                   looked_up_case=looked_up_case), "resident")
                self.push_screen("resident")
            else:
                resident_screen = self.get_screen("resident")
                assert isinstance(resident_screen, ResidentScreen)
                self.push_screen("resident")
                resident_screen.show(summary, case_reference=case_reference,
                                     looked_up_case=looked_up_case)
        matched = summary.get("matched_badge")
        if matched is not None and matched["needs_confirmation"]:
            self.push_screen(ConfirmCardScreen(summary, str(matched["id"])))
        self.gc_pause.release_soon()

    def resident_on_screen(self) -> str | None:
        """The resident whose file is open (the resident screen, under any form)."""
        from counter_client.screens.resident import ResidentScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, ResidentScreen):
                return screen.resident_id
        return None

    def open_resident(self, resident_id: str, *, case_reference: str | None = None) -> None:
        self.gc_pause.hold()
        client = self.client

        def fetch() -> tuple[ResidentSummary, Case | None]:
            summary = client.summary(resident_id)
            if case_reference is None or any(
                    same_reference(str(case["reference"]), case_reference)
                    for case in summary.get("open_cases", [])):
                return summary, None
            # Looked up by a case no longer open: fetched too, never another one changed.
            try:
                return summary, client.case(case_reference)
            except ClientError:
                return summary, None

        def show(fetched: tuple[ResidentSummary, Case | None]) -> None:
            summary, looked_up_case = fetched
            if looked_up_case is not None and looked_up_case["resident_id"] != resident_id:
                looked_up_case = None
            self.show_resident(summary, case_reference=case_reference,
                               looked_up_case=looked_up_case)

        self.call_server(fetch, show, group="open", exclusive=True)

    def on_unmount(self) -> None:
        self.gc_pause.stop()
        if self.card_reader is not None:
            self.card_reader.cancel()

    # -- help, theme ------------------------------------------------------------------

    def action_help(self) -> None:
        from counter_client.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_contrast(self) -> None:
        self.theme = "textual-dark" if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name


SIGNED_OUT_OFFLINE = ("Déconnecté de ce poste, mais le serveur est injoignable : la session"
                      " n'a pas pu y être fermée (elle expirera d'elle-même).")


def make_app(
    settings: CounterSettings, client: RelaisClient, *, journal: Journal | None = None,
    sessions: SessionStore | None = None, card_reader: CardReader | None = None,
    print_queue: PrintQueue | None = None, today: Callable[[], date] | None = None,
    data_dir_repaired: list[Path] | None = None,
) -> CounterApp:
    """The app for one workstation; tests hand in their own devices and clock."""
    data_dir = settings.data_dir
    if data_dir_repaired is None:  # checked before anything is opened in it
        data_dir_repaired = secure_data_dir(data_dir)
    return CounterApp(
        settings, client, journal=journal or Journal(data_dir / "journal.sqlite3"),
        sessions=sessions or SessionStore(data_dir / "session.json"),
        card_reader=card_reader, print_queue=print_queue, today=today,
        data_dir_repaired=data_dir_repaired,
    )
