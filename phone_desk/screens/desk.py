"""The desk: the ringing call, the caller's file, search when the number says nothing, the
day's calls and the call-backs to make."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Static

from crm_core.client.tui.cases_table import CasesTable
from crm_core.client.tui.clean_input import CleanInput
from crm_core.client.tui.header import Header
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.tui.resident_card import ResidentCard
from crm_core.client.tui.timeline import Timeline
from crm_core.client.types import ResidentSummary, SearchOutcome
from phone_desk.messages import FileChanged, FollowCalls, ListsChanged
from phone_desk.screens.call_forms import CallForms
from phone_desk.widgets.call_banner import CallBanner
from phone_desk.widgets.day_lists import CallbacksTable, CallsTable
from phone_desk.widgets.search_results import SearchResults

# Short enough to be read whole in the fields at 80 columns (desk.tcss).
SEARCH_HINT = "Nom, téléphone, référence"
HEARD_HINT = "Nom entendu (ex. durant)"
BIRTH_HINT = "JJ/MM/AAAA"

_BIRTH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_birth_date(text: str) -> date | None:
    """'12/03/1984' (or 12.03.1984, 12-03-1984); ValueError when it is not a date."""
    text = text.strip()
    if not text:
        return None
    match = _BIRTH.match(text)
    if not match:
        raise ValueError("Date de naissance attendue sous la forme JJ/MM/AAAA")
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


class DeskLine(Static):
    DEFAULT_CSS = "DeskLine { height: 1; background: $panel; padding: 0 1; }"

    def on_mount(self) -> None:
        for name in ("online", "agent", "extension", "waiting", "not_followed"):
            self.watch(self.app, name, self._changed, init=False)
        self._changed()

    def _changed(self, *_: object) -> None:
        app = self.app
        text = Text()
        text.append(str(getattr(app, "agent", "")), style="bold")
        text.append(f"  poste {getattr(app, 'extension', '') or '—'}")
        if getattr(app, "online", False):
            text.append("  ● appels en direct")
        elif getattr(app, "not_followed", False):
            text.append("  ✗ appels non suivis", style="bold reverse")
        else:
            # Short: with a long name and the F7 count it still fits 80 columns (issue 19).
            text.append("  ✗ HORS LIGNE : appels non reçus", style="bold reverse")
        if waiting := getattr(app, "waiting", 0):
            text.append(f"  {waiting} en attente (F7)", style="bold")
        self.update(text)


class DeskScreen(CallForms):
    BINDINGS = [  # noqa: RUF012
        # Short labels: the whole bar fits in 80 columns (the longer words are in the
        # forms' titles and in the help). F9 is not on the bar, so that F10 (sign-out)
        # and Ctrl+Q are (issue 19): the lists also refresh after each change.
        Binding("f3", "search", "Chercher"),
        Binding("f4", "log_call", "Noter"),
        Binding("f5", "new_callback", "Rappel"),
        Binding("f6", "callback_done", "Fait"),
        Binding("f8", "link_number", "Lier"),
        Binding("f9", "refresh_lists", "Relire", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.call: dict[str, Any] | None = None
        self.summary: ResidentSummary | None = None
        # Counts rings: an answer asked for during one call (a file, a search) is dropped
        # if it comes back after the next ring, so that it never shows on the wrong call.
        self.ring_count = 0
        # The « reconnexion… » said while the feed was away, cleared when it is back.
        self._reconnecting = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DeskLine()
        yield CallBanner(id="banner", city=self.desk.city)
        with Horizontal(id="main"):
            with Vertical(id="file"):
                with Horizontal(id="search-bar"):
                    yield CleanInput(id="search", placeholder=SEARCH_HINT)
                    yield CleanInput(id="birth", placeholder=BIRTH_HINT)
                yield SearchResults(id="results")
                yield ResidentCard(id="card")
                yield CasesTable(id="cases", city=self.desk.city, today=self.desk.today)
                yield Timeline(id="timeline", city=self.desk.city)
            with Vertical(id="day"):
                yield CallsTable(id="calls", city=self.desk.city)
                yield CallbacksTable(id="callbacks", city=self.desk.city)
        yield MessageLine(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#results", SearchResults).display = False
        self.query_one("#search", Input).focus()
        self.action_refresh_lists()
        self.app.post_message(FollowCalls())

    # -- the live feed ----------------------------------------------------------------

    def on_feed(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "snapshot":
            calls = message.get("calls") or []
            if calls and calls[-1]["call"]["id"] == (self.call or {}).get("id"):
                self._update(calls[-1]["call"])  # a reconnection during the same call
            elif calls:
                self._ring(calls[-1]["call"], calls[-1].get("match") or {})
        elif kind == "ring":
            self._ring(message["call"], message.get("match") or {})
        elif kind == "update":
            self._update(message["call"])
        if kind == "refused":
            self.say(str(message.get("reason", "")), error=True)
        elif kind == "offline":
            reconnecting = f"{message.get('reason', 'Connexion perdue')} : reconnexion…"
            if reconnecting != self._reconnecting:  # said once: each new try repeating it
                self.say(reconnecting, error=True)  # covered what the agent had just done
            self._reconnecting = reconnecting
        elif self._reconnecting:  # back: the bottom line stops saying it is away
            for line in self.query(MessageLine):
                if line._said == (self._reconnecting, True):
                    line.say("Connexion rétablie : appels en direct.")
            self._reconnecting = ""

    def _ring(self, call: dict[str, Any], match: dict[str, Any]) -> None:
        self._forget_last_call()
        self.call = call
        self.query_one(CallBanner).show(call, match)
        results = self.query_one("#results", SearchResults)
        if match.get("kind") == "resident" and match.get("resident_id"):
            self.open_resident(str(match["resident_id"]))
        elif match.get("kind") == "candidates":
            results.show(match.get("candidates", []))
            results.display = True
            results.focus()
            self.say("Plusieurs usagers partagent ce numéro : demandez le nom et choisissez.")
        else:
            search = self.query_one("#search", Input)
            number = str(call.get("remote_number") or "")
            # Pre-filled with the number and selected: typing the name heard replaces it,
            # Enter looks the number up again (someone may just have added it).
            search.value = number
            search.placeholder = HEARD_HINT
            search.focus()
            search.select_all()
            heard = "Numéro inconnu" if number else "Numéro masqué"
            self.say(f"{heard} : tapez le nom entendu et la date de naissance.")
        self.action_refresh_lists()

    def _forget_last_call(self) -> None:
        """Everything the last call showed goes: its file, the residents proposed (a
        family's, for a shared number), what was typed, and answers still on their way."""
        self.ring_count += 1
        self._clear_file()
        results = self.query_one("#results", SearchResults)
        results.show([])
        results.display = False
        search = self.query_one("#search", Input)
        search.value = ""
        search.placeholder = SEARCH_HINT
        self.query_one("#birth", Input).value = ""

    def _update(self, call: dict[str, Any]) -> None:
        mine = self.desk.extension
        if self.call is not None and call["id"] == self.call["id"]:
            taken = call.get("answered_extension")
            if call.get("status") == "answered" and taken and mine and taken != mine:
                self.query_one(CallBanner).clear()
                self.call = None
                self.say(f"Appel pris par le poste {taken}.")
            else:
                self.call = call
                self.query_one(CallBanner).show(call)
        self.action_refresh_lists()

    # -- finding and showing the resident ---------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    @on(Input.Submitted, "#search, #birth")
    def _search(self) -> None:
        q = self.query_one("#search", Input).value.strip()
        try:
            birth = parse_birth_date(self.query_one("#birth", Input).value)
        except ValueError as exc:
            self.say(str(exc), error=True)
            return
        if not q:
            self.say("Tapez un nom, un numéro ou une référence.", error=True)
            return

        ring = self.ring_count

        def show(outcome: SearchOutcome) -> None:
            if ring != self.ring_count:  # asked during the previous call
                return
            rows = outcome.get("results", [])
            results = self.query_one("#results", SearchResults)
            results.show(rows)
            results.display = bool(rows)
            if rows:
                results.focus()
                self.say(f"{len(rows)} usager(s) proposé(s) : Entrée pour ouvrir le dossier.")
            else:
                self.say("Personne ne correspond : vérifiez l'orthographe ou la date.")

        self.desk.call_server(lambda: self.desk.client.search_residents(q, birth_date=birth),
                              show, group="search", exclusive=True)

    @on(SearchResults.Picked)
    def _picked(self, event: SearchResults.Picked) -> None:
        self.open_resident(event.resident_id)

    def open_resident(self, resident_id: str, *, quiet: bool = False) -> None:
        ring = self.ring_count

        def show(summary: ResidentSummary) -> None:
            if ring == self.ring_count:  # else a new call rang meanwhile: not its file
                self._show_summary(summary, quiet=quiet)

        self.desk.call_server(lambda: self.desk.client.summary(resident_id), show,
                              group="summary", exclusive=True)

    def _show_summary(self, summary: ResidentSummary, *, quiet: bool = False) -> None:
        self.summary = summary
        self.query_one(ResidentCard).show(summary)
        self.query_one(CasesTable).show(summary.get("open_cases", []))
        self.query_one(Timeline).show(summary.get("recent_interactions", []))
        number = (self.call or {}).get("remote_number")
        known = {p.get("value") for p in summary.get("contact_points", [])}
        if quiet:  # a refresh after an action: keep the action's message
            return
        if number and number not in known:
            self.say("Ce numéro n'est pas dans le dossier : F8 pour le lier, avec l'accord "
                     "de l'usager.")
        else:
            self.say("Dossier ouvert. F4 : enregistrer l'appel, F5 : prévoir un rappel.")

    def _clear_file(self) -> None:
        self.summary = None
        self.query_one(ResidentCard).clear()
        self.query_one(CasesTable).show([])
        self.query_one(Timeline).show([])

    def on_file_changed(self, _: FileChanged) -> None:
        self.reload_file()

    def reload_file(self) -> None:
        if self.summary:
            self.open_resident(str(self.summary["resident"]["id"]), quiet=True)

    # -- the day's lists ----------------------------------------------------------------

    def action_callback_done(self) -> None:
        callback = self.query_one(CallbacksTable).current()
        if callback is None:
            self.say("Choisissez un rappel dans la liste.", error=True)
            return

        def done(_: object) -> None:
            self.say("Rappel marqué comme fait.")
            self.action_refresh_lists()

        self.desk.call_server(lambda: self.desk.client.complete_callback(callback["id"]), done)

    def on_lists_changed(self, _: ListsChanged) -> None:
        self.action_refresh_lists()

    def action_refresh_lists(self) -> None:
        extension = self.desk.extension or None
        self.desk.call_server(lambda: self.desk.client.calls(extension=extension),
                              self.query_one(CallsTable).show, group="calls", exclusive=True)
        self.desk.call_server(self.desk.client.callbacks, self.query_one(CallbacksTable).show,
                              group="callbacks", exclusive=True)

