"""F7: what this desk keeps for the server (the agent's own items), and why a kept item
was refused, so that nothing saved offline disappears without the agent knowing. A refused
call log or call-back opens again in its form, filled in with the reason, to be fixed and
sent (C); any refused item can be set aside (E twice: it stays in the journal file).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.letter_keys import with_capitals
from crm_core.client.tui.message_line import MessageLine
from phone_desk.host import DeskHost
from phone_desk.journal import DeskItem, ItemKind, ItemState

KIND_LABELS = {ItemKind.CALL_LOG: "Appel", ItemKind.CALLBACK: "Rappel"}


def describe(item: DeskItem, *, zone: tzinfo) -> Text:
    made = datetime.fromisoformat(item.created_at).astimezone(zone)
    line = Text(f"{made:%d/%m %H:%M}  {KIND_LABELS[item.kind]} : ")
    line.append(str(item.payload.get("reason") or ""))  # as typed: never read as markup
    if item.state is ItemState.REJECTED:
        line.append(f"  — refusé : {item.error or ''}", style="bold")
    else:
        line.append("  — en attente du serveur")
    return line


class WaitingScreen(ModalScreen[DeskItem | None]):
    """Dismissed with the refused item to open again in its form, else None."""

    BINDINGS = with_capitals(
        Binding("c", "fix", "Corriger"),
        Binding("e", "discard", "Écarter"),
        Binding("escape", "close", "Fermer"),
        Binding("f7", "close", "Fermer", show=False),
    )

    def __init__(self, items: list[DeskItem], others: str, *, city: CityTime) -> None:
        super().__init__()
        self.city = city
        self.items = {item.id: item for item in items}
        self.others = others
        self._confirm: int | None = None  # the item a first E asked about

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="waiting") as box:
            box.border_title = "Gardés sur ce poste"
            if not self.items:
                # Another agent's items may be waiting: only this agent's are all sent.
                yield Label("Rien en attente de votre part." if self.others
                            else "Rien en attente : tout a été envoyé au serveur.")
            else:
                yield OptionList(*[Option(describe(item, zone=self.city.zone), id=str(item.id))
                                   for item in self.items.values()], id="items")
            if self.others:
                yield Static(Text(self.others), classes="hint")
            if any(item.state is ItemState.REJECTED for item in self.items.values()):
                yield Label("Refusé : C corriger et renvoyer · E écarter", classes="hint")
            yield MessageLine(id="waiting-message")
            yield Label("Échap : fermer", classes="hint")

    def _selected(self) -> DeskItem | None:
        for options in self.query("#items").results(OptionList):
            index = options.highlighted
            if index is not None:
                return self.items.get(int(options.get_option_at_index(index).id or 0))
        return None

    def action_fix(self) -> None:
        item = self._selected()
        message = self.query_one(MessageLine)
        if item is None or item.state is not ItemState.REJECTED:
            message.say("Choisissez un élément refusé (↑ ↓).", error=True)
        else:
            self.dismiss(item)

    def action_discard(self) -> None:
        item = self._selected()
        message = self.query_one(MessageLine)
        if item is None or item.state is not ItemState.REJECTED:
            message.say("Seul un élément refusé s'écarte ; les autres partent d'eux-mêmes.",
                        error=True)
            return
        if self._confirm != item.id:
            self._confirm = item.id
            message.say("Écarter cet élément ? Il ne sera jamais envoyé. E de nouveau pour"
                        " confirmer.", error=True)
            return
        app = self.app
        assert isinstance(app, DeskHost)
        app.journal.discard(item.id, agent=item.agent)
        self._confirm = None
        del self.items[item.id]
        options = self.query_one("#items", OptionList)
        options.remove_option(str(item.id))
        message.say("Écarté : gardé dans le journal de ce poste, jamais envoyé.")

    def action_close(self) -> None:
        self.dismiss(None)
