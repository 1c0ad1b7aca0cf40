"""Home: one always-ready input for a badge scan, a card tap, or text to search."""

from __future__ import annotations

import time
from typing import TypedDict

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from badge.errors import ScanError
from badge.scanner import ScannedBadge, read_scanner_input
from counter_client.messages import CallNextTicket, NewTicket, OpenResident, ShowResident
from counter_client.screens.base import CounterScreen
from counter_client.widgets.status_line import StatusLine
from crm_core.client.errors import ClientError
from crm_core.client.tui import labels
from crm_core.client.tui.clean_input import CleanInput
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.tui.plain import plain
from crm_core.client.types import ResidentSummary, SearchOutcome, SearchResult

MIN_SEARCH_LENGTH = 2
SEARCHING_NOTICE_SECONDS = 0.3


class Stale(TypedDict):
    """A search the agent typed past before it left: its answer is dropped."""

    stale: bool


def looks_like_a_scan(text: str) -> bool:
    """A scanner is typing a token (also through a US layout on AZERTY: "RL&M")."""
    head = text.strip().upper()[:4]
    return head.startswith(("RL1", "RL&", "]Q"))


def candidate_label(result: SearchResult) -> Text:
    text = Text(labels.full_name(result), style="bold")
    if result.get("birth_date"):
        text.append(f"  né(e) le {labels.day(result['birth_date'])}")
    if result.get("city"):
        text.append(f"  {result['city']}")
    reasons = ", ".join(
        labels.label(labels.REASON_FIELDS, reason.get("field"))
        for reason in result.get("reasons", [])[:3]
    )
    if reasons:
        text.append(f"  ({reasons})", style="dim")
    return plain(text)


class HomeScreen(CounterScreen):
    BINDINGS = [  # noqa: RUF012
        Binding("f5", "call_next", "Appeler suivant"),
        Binding("f6", "new_ticket", "Ticket"),
        Binding("down", "to_results", "Résultats", show=False),
        Binding("escape", "clear", "Effacer"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.results: list[SearchResult] = []
        self._typed_at = 0.0
        self._searching_notice: Timer | None = None
        self._looked_up_case: str | None = None  # the case reference the search read

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield Static("Scannez le badge, posez la carte, ou tapez un nom, un téléphone,"
                     " un e-mail ou une référence :", classes="prompt")
        yield CleanInput(id="scan", placeholder="badge, nom, téléphone, e-mail, référence…")
        yield MessageLine(id="message")
        yield OptionList(id="results")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#results", OptionList).border_title = "Usagers trouvés"
        self.query_one("#scan", Input).focus()

    def on_screen_resume(self) -> None:
        self.query_one("#scan", Input).focus()

    # -- typing and scanning ----------------------------------------------------------

    @on(Input.Changed, "#scan")
    def _typed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        self._typed_at = time.monotonic()
        if len(text) < MIN_SEARCH_LENGTH or looks_like_a_scan(text):
            if not text and self.results:
                self._show_results([])
            return
        delay = self.counter.settings.search_delay_seconds
        client = self.counter.client
        typed_at = self._typed_at

        def search() -> SearchOutcome | Stale:
            time.sleep(delay)  # let the agent (or the scanner) finish the word
            if typed_at != self._typed_at:
                return {"stale": True}
            return client.search(text, limit=8)

        def searched(outcome: SearchOutcome | Stale) -> None:
            if typed_at == self._typed_at:  # else the agent typed on: an older query's list
                self._searched(outcome)

        self.counter.call_server(search, searched, group="search", exclusive=True,
                                 failed=self._search_failed)

    def _searched(self, outcome: SearchOutcome | Stale) -> None:
        if "stale" in outcome:
            return
        self._show_results(list(outcome["results"]))
        # Looked up by a case reference: the file opens on that case.
        references = outcome["understood"].get("references") or []
        self._looked_up_case = str(references[0]) if references else None
        if not self.results:
            self.say("Personne ne correspond. Vérifiez l'orthographe ou la date de naissance.")
        else:
            self.say(f"{len(self.results)} usager(s) : ↓ pour choisir, Entrée pour ouvrir.")

    def _cancel_searching_notice(self) -> None:
        if self._searching_notice is not None:
            self._searching_notice.stop()
            self._searching_notice = None

    def _lookup_failed(self, exc: ClientError) -> None:
        self._cancel_searching_notice()
        self.say(exc.message, error=True)

    def _search_failed(self, exc: ClientError) -> None:
        # The list left from the previous query would open someone else's file on Enter.
        self._show_results([])
        self._looked_up_case = None
        self.say(exc.message, error=True)

    def _show_results(self, results: list[SearchResult]) -> None:
        self.results = results
        options = self.query_one("#results", OptionList)
        options.clear_options()
        options.add_options(
            [Option(candidate_label(r), id=str(r["resident_id"])) for r in results]
        )
        if results:
            options.highlighted = 0

    @on(Input.Submitted, "#scan")
    def _submitted(self, event: Input.Submitted) -> None:
        raw = event.value
        self._typed_at = time.monotonic()  # cancels a pending search-as-you-type
        try:
            scanned = read_scanner_input(raw)
        except ScanError as exc:
            self.say(exc.message_fr, error=True)
            event.input.value = ""
            return
        client = self.counter.client
        if isinstance(scanned, ScannedBadge):
            self.counter.gc_pause.hold()
            event.input.value = ""
            # Said only if the agent would notice the wait: drawing it costs a repaint.
            self._searching_notice = self.set_timer(
                SEARCHING_NOTICE_SECONDS, lambda: self.say("Badge lu, recherche de l'usager…")
            )
            self.counter.call_server(
                lambda: client.lookup(badge=scanned.token), self._opened,
                group="open", exclusive=True, failed=self._lookup_failed,
            )
            return
        if self.results:
            self._open_highlighted()
            return
        text = scanned.text

        def search_then_open() -> SearchOutcome:
            return client.search(text, limit=8)

        self.counter.call_server(search_then_open, self._searched_on_enter, group="search",
                                 exclusive=True, failed=self._search_failed)

    def _searched_on_enter(self, outcome: SearchOutcome) -> None:
        self._searched(outcome)
        if len(self.results) == 1:
            self._open_highlighted()

    def _opened(self, summary: ResidentSummary) -> None:
        self._cancel_searching_notice()
        self.say("")
        self.app.post_message(ShowResident(summary))

    def _open_highlighted(self) -> None:
        options = self.query_one("#results", OptionList)
        index = options.highlighted if options.highlighted is not None else 0
        if 0 <= index < len(self.results):
            self.app.post_message(OpenResident(str(self.results[index]["resident_id"]),
                                               case_reference=self._looked_up_case))

    @on(OptionList.OptionSelected, "#results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.app.post_message(OpenResident(str(event.option.id),
                                           case_reference=self._looked_up_case))

    def action_to_results(self) -> None:
        if self.results:
            self.query_one("#results", OptionList).focus()

    def action_clear(self) -> None:
        scan = self.query_one("#scan", Input)
        scan.value = ""
        scan.focus()
        self._show_results([])
        self.say("")

    # -- the queue --------------------------------------------------------------------

    def action_call_next(self) -> None:
        self.app.post_message(CallNextTicket())

    def action_new_ticket(self) -> None:
        self.app.post_message(NewTicket())
