"""The resident screen: card, open cases, timeline; every action one key away."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding

from counter_client.messages import CallNextTicket, PrintReceipt
from counter_client.screens.base import CounterScreen
from counter_client.widgets.status_line import StatusLine
from crm_core.client.tui import CasesTable, ResidentCard, Timeline, labels
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.letter_keys import with_capitals
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.types import Case, ResidentSummary, TimelineEntry


class ResidentScreen(CounterScreen):
    BINDINGS = with_capitals(
        Binding("v", "visit", "Visite"),
        Binding("n", "new_case", "Demande"),
        Binding("s", "status", "Statut"),
        Binding("c", "contact", "Coordonnée"),
        Binding("b", "badge", "Badge"),
        Binding("p", "receipt", "Reçu"),
        Binding("f5", "call_next", "Suivant"),
        Binding("r", "reload", "Actualiser", show=False),
        Binding("escape", "back", "Retour"),
    )

    def __init__(self, summary: ResidentSummary, *, case_reference: str | None = None,
                 looked_up_case: Case | None = None) -> None:
        super().__init__()
        self.summary = summary
        self._looked_up = case_reference  # highlighted once the table is drawn
        self._looked_up_case = looked_up_case
        # The case the agent last moved (it may have left the open cases: closed).
        self.recent_case: Case | None = None

    @property
    def resident_id(self) -> str:
        return str(self.summary["resident"]["id"])

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield ResidentCard(id="card")
        yield CasesTable(id="cases", city=self.counter.city, today=self.counter.today)
        yield MessageLine(id="message")
        yield Timeline(id="timeline", city=self.counter.city)
        yield KeyBar()

    def on_mount(self) -> None:
        self.show(self.summary, case_reference=self._looked_up,
                  looked_up_case=self._looked_up_case)
        self.query_one(CasesTable).focus()

    def on_screen_resume(self) -> None:
        if self.app.focused is None or self.app.focused.screen is not self:
            self.query_one(CasesTable).focus()

    def show(self, summary: ResidentSummary, *, case_reference: str | None = None,
             looked_up_case: Case | None = None) -> None:
        """`case_reference`: the case the agent looked the resident up by, highlighted (so
        that S changes that one); otherwise the table starts on its first case.
        `looked_up_case`: that case when it is no longer open (resolved, closed): listed
        first with its state, so that S acts on it (to reopen it), never on another."""
        if str(summary["resident"]["id"]) != self.resident_id:
            self.recent_case = None
            self.say("")  # a message about the previous resident is not about this one
        self.summary = summary
        self.query_one(ResidentCard).show(summary)
        cases = self.query_one(CasesTable)
        shown: list[Mapping[str, Any]] = list(summary.get("open_cases", []))
        if looked_up_case is not None:
            shown.insert(0, looked_up_case)
        cases.show(shown)
        if case_reference is not None:
            cases.highlight(case_reference)
        if looked_up_case is not None:
            self.say(f"Demande {looked_up_case['display_reference']} : "
                     f"{labels.case_status(looked_up_case['status'])}"
                     " (elle n'est plus ouverte ; S pour la rouvrir).")
        self.query_one(Timeline).show(summary.get("recent_interactions", []))

    def reload(self) -> None:
        if not self.counter.online:
            return
        self.counter.call_server(
            lambda: self.counter.client.summary(self.resident_id), self.show,
            group="reload", exclusive=True, failed=lambda _: None,
        )

    @property
    def current_case(self) -> Mapping[str, Any] | None:
        return self.query_one(CasesTable).current_case

    # -- timeline paging --------------------------------------------------------------

    @on(Timeline.MoreRequested)
    def _more(self, event: Timeline.MoreRequested) -> None:
        timeline = event.timeline
        client = self.counter.client

        def done(entries: list[TimelineEntry]) -> None:
            timeline.extend(entries, complete=len(entries) < 50)

        self.counter.call_server(
            lambda: client.timeline(self.resident_id, before=event.before, limit=50), done,
            group="timeline", exclusive=True, failed=lambda _: None,
        )

    @on(CasesTable.CaseSelected)
    def _case_selected(self, event: CasesTable.CaseSelected) -> None:
        self.action_status()

    # -- actions ----------------------------------------------------------------------

    def action_visit(self) -> None:
        from counter_client.screens.visit import VisitScreen

        self.app.push_screen(VisitScreen(self.summary, self.current_case))

    def action_new_case(self) -> None:
        from counter_client.screens.case_form import CaseFormScreen

        if not self.counter.services:
            self.say(self.counter.services_missing(), error=True)
            return
        self.app.push_screen(CaseFormScreen(self.summary, self.counter.services))

    def action_status(self) -> None:
        from counter_client.screens.status import StatusScreen

        case = self.current_case
        if case is None:
            self.say("Aucune demande ouverte : choisissez-en une dans le tableau.", error=True)
            return
        self.app.push_screen(StatusScreen(case))

    def action_contact(self) -> None:
        from counter_client.screens.contact import ContactScreen

        self.app.push_screen(ContactScreen(self.summary))

    def action_badge(self) -> None:
        from counter_client.screens.badge import BadgeScreen

        self.app.push_screen(BadgeScreen(self.summary))

    def action_receipt(self) -> None:
        case = self.recent_case or self.current_case
        if case is None:
            self.say("Choisissez la demande dont il faut imprimer le reçu.", error=True)
            return
        self.app.post_message(PrintReceipt(case))

    def action_call_next(self) -> None:
        self.app.post_message(CallNextTicket())

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
