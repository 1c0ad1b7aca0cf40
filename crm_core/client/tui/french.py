"""Textual's own English kept away from the agents, for both terminal apps.

Textual brings words of its own: the command palette ("palette", its English commands
and prompts), the select menu's "Dismiss menu" in the key bar, "Press Ctrl+Q to quit"
on Ctrl+C. `FrenchApp` turns off the palette (every action has its key, listed by F1)
and says the Ctrl+C hint in French; `Choice` is Textual's `Select` with its menu's key
described in French. Both apps use them, so a new screen gets them without thinking.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay


class FrenchApp(App[None]):
    ENABLE_COMMAND_PALETTE = False  # English commands and prompts; F1 lists the keys

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (it copies): say how, in French."""
        self.notify("Pour quitter l'application : Ctrl+Q.", title="Quitter ?")


class _ChoiceMenu(SelectOverlay):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Fermer la liste"),
    ]


class Choice(Select[Any]):
    """`Select`, whose open menu shows "Échap Fermer la liste" instead of "Dismiss menu".

    A letter typed on the closed list would be dropped silently by `Select`: here it opens
    the list and searches it, so nothing typed is lost without the agent seeing it."""

    def on_key(self, event: events.Key) -> None:
        if self.expanded or not event.is_printable or event.character in (None, " "):
            return
        event.stop()
        event.prevent_default()
        self.expanded = True
        menu = self.query_one(_ChoiceMenu)
        self.call_after_refresh(menu.post_message, events.Key(event.key, event.character))

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield _ChoiceMenu(type_to_search=self._type_to_search).data_bind(
            compact=Select.compact
        )
