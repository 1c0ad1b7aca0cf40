"""A card's first tap: the agent checks the person before trusting it (UIDs can be cloned)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label

from counter_client.messages import Say
from counter_client.screens.modal import FormScreen
from crm_core.client.tui import labels
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.letter_keys import with_capitals
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.types import ResidentSummary


class ConfirmCardScreen(FormScreen):
    BINDINGS = with_capitals(
        Binding("o", "confirm", "Oui, c'est bien la personne"),
        Binding("n", "refuse", "Non"),
        Binding("escape", "refuse", "Non", show=False),
    )

    def __init__(self, summary: ResidentSummary, badge_id: str) -> None:
        super().__init__()
        self.summary = summary
        self.badge_id = badge_id

    def compose(self) -> ComposeResult:
        resident = self.summary["resident"]
        with Vertical(classes="form") as form:
            form.border_title = "Première utilisation de cette carte"
            yield Label("Vérifiez l'identité de la personne (pièce d'identité) :")
            yield Label(Text(f"{labels.full_name(resident)}, né(e) le"
                             f" {labels.day(resident.get('birth_date'))}"), classes="strong")
            yield Label("O : c'est bien elle   N : ce n'est pas elle")
            yield MessageLine()
        yield KeyBar()

    def action_confirm(self) -> None:
        client = self.counter.client
        self.counter.call_server(
            lambda: client.confirm_card(self.badge_id),
            lambda _: self.finish("Carte confirmée."),
            failed=lambda exc: self.say(exc.message, error=True),
        )

    def action_refuse(self) -> None:
        self.dismiss(None)
        self.app.post_message(Say(
            "Carte non confirmée : ne vous fiez pas à elle, révoquez-la (touche B).",
            error=True,
        ))
