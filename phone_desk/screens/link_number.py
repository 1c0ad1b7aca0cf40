"""Link the caller's number to the resident's file, only with their agreement."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Static

from crm_core.client.tui.letter_keys import with_capitals


class LinkNumberScreen(ModalScreen[dict[str, Any] | None]):
    BINDINGS = with_capitals(Binding("escape", "cancel", "Annuler"), Binding("o", "agree", "Oui"))

    def __init__(self, number: str, resident: str) -> None:
        super().__init__()
        self.number = number
        self.resident = resident

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static(Text(f"Rattacher le {self.number} au dossier de {self.resident} ?"),
                         classes="strong")
            yield Static("Demandez son accord à l'usager avant de valider.")
            # The number kept for contact, not a consent: whether the mairie may call or
            # text is the resident's answer in their choices (docs/consent.md).
            yield Checkbox("Numéro à utiliser pour le joindre (selon ses choix de contact)",
                           id="allowed")
            with Horizontal():
                yield Button("Oui, il est d'accord (O)", id="yes", variant="primary")
                yield Button("Non (Échap)", id="no")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#yes")
    def action_agree(self) -> None:
        self.dismiss({"contact_allowed": self.query_one("#allowed", Checkbox).value})
