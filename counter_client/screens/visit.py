"""Record the visit: outcome, note, linked case. Goes through the offline journal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select

from counter_client.journal import EntryKind
from counter_client.messages import KeepInJournal
from counter_client.screens.modal import FormScreen
from crm_core.client.tui import labels
from crm_core.client.tui.clean_input import CleanInput
from crm_core.client.tui.french import Choice
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.tui.plain import plain
from crm_core.client.types import ResidentSummary


class VisitScreen(FormScreen):
    def __init__(self, summary: ResidentSummary, case: Mapping[str, Any] | None) -> None:
        super().__init__()
        self.summary = summary
        self.case = case

    def compose(self) -> ComposeResult:
        cases = [(plain(f"{c['display_reference']} {c['subject']}"[:60]), str(c["reference"]))
                 for c in self.summary.get("open_cases", [])]
        with Vertical(classes="form") as form:
            form.border_title = plain(f"Visite de {labels.full_name(self.summary['resident'])}")
            yield Label("Résultat")
            yield Choice([(labels.OUTCOMES[o], o) for o in labels.VISIT_OUTCOMES],
                         value="informed", allow_blank=False, id="outcome")
            yield Label("Demande concernée")
            yield Choice(cases, prompt="aucune", id="case",
                         value=str(self.case["reference"]) if self.case else Select.NULL)
            yield Label("Note (facultative)")
            yield CleanInput(id="note", max_length=5000)
            yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#outcome", Choice).focus()  # the first field, then Tab, Tab: note

    @on(Input.Submitted, "#note")
    def _enter(self) -> None:
        # Enter saves a visit the agent wrote something for; an empty note saves only
        # with Ctrl+S, so a stray Enter never records "information donnée" by surprise.
        if self.query_one("#note", Input).value.strip():
            self.action_save()
        else:
            self.say("Note vide : Ctrl+S enregistre la visite sans note, Échap annule.")

    def action_save(self) -> None:
        outcome = self.query_one("#outcome", Select).value
        case = self.query_one("#case", Select).value
        note = self.query_one("#note", Input).value.strip()
        payload: dict[str, Any] = {
            "resident_id": str(self.summary["resident"]["id"]), "channel": "counter",
            "outcome": str(outcome),
        }
        if note:
            payload["note"] = note
        if case is not Select.NULL and case is not None:
            payload["case_reference"] = str(case)
        self.dismiss(None)
        self.app.post_message(KeepInJournal(
            EntryKind.INTERACTION, payload, sent="Visite enregistrée.",
            kept="Visite gardée sur ce poste : elle sera envoyée dès le retour du réseau.",
            delivered=f"Visite de {labels.full_name(self.summary['resident'])} envoyée."))
