"""F7: what this desk keeps for the server (the agent's own items), and why a kept item
was refused, so that nothing saved offline disappears without the agent knowing."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from counter_client.labels import LOCAL_TZ
from phone_desk.journal import DeskItem, ItemKind, ItemState

KIND_LABELS = {ItemKind.CALL_LOG: "Appel", ItemKind.CALLBACK: "Rappel"}


def describe(item: DeskItem) -> Text:
    made = datetime.fromisoformat(item.created_at).astimezone(LOCAL_TZ)
    line = Text(f"{made:%d/%m %H:%M}  {KIND_LABELS[item.kind]} : ")
    line.append(str(item.payload.get("reason") or ""))  # as typed: never read as markup
    if item.state is ItemState.REJECTED:
        line.append(f"  — refusé : {item.error or ''}", style="bold")
    else:
        line.append("  — en attente du serveur")
    return line


class WaitingScreen(ModalScreen[None]):
    BINDINGS = [  # noqa: RUF012
        Binding("escape", "close", "Fermer"),
        Binding("f7", "close", "Fermer", show=False),
    ]

    def __init__(self, items: list[DeskItem], others: str) -> None:
        super().__init__()
        self.items = items
        self.others = others

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="waiting") as box:
            box.border_title = "Gardés sur ce poste"
            if not self.items:
                yield Label("Rien en attente : tout a été envoyé au serveur.")
            for item in self.items:
                yield Static(describe(item), classes="waiting-item")
            if self.others:
                yield Static(Text(self.others), classes="hint")
            yield Label("Échap : fermer", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
