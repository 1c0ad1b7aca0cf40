"""Escape never throws away what the agent typed without asking (both apps' forms).

`GuardedForm` is the base of a form opened over a screen: Escape closes it at once when
nothing was typed, and otherwise asks, with `DiscardScreen`, whether to keep editing
(Escape again, or Enter: the safe choice) or to discard what was typed (A).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from crm_core.client.tui.letter_keys import with_capitals

R = TypeVar("R")


class DiscardScreen(ModalScreen[bool]):
    """True: discard what was typed; False: back to the form, as it was."""

    DEFAULT_CSS = """
    DiscardScreen { align: center middle; }
    DiscardScreen > Vertical { width: 60; max-width: 100%; height: auto; padding: 0 1;
                               border: thick $warning; background: $surface; }
    DiscardScreen Horizontal { height: auto; }
    DiscardScreen Button { margin-right: 2; }
    """
    BINDINGS = with_capitals(
        Binding("escape", "keep", "Reprendre la saisie"),
        Binding("a", "discard", "Abandonner la saisie"),
    )

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Abandonner la saisie ?"
            yield Static("Ce que vous avez tapé dans ce formulaire sera perdu.")
            with Horizontal():
                yield Button("Reprendre la saisie (Échap)", id="keep", variant="primary")
                yield Button("Abandonner (A)", id="discard", variant="error")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        self.dismiss(True)


class GuardedForm(ModalScreen[R | None], Generic[R]):
    """A form whose Escape (`action_cancel`) asks before losing typed text."""

    BINDINGS = with_capitals(Binding("escape", "cancel", "Annuler"))

    _opened_with: dict[str, str] | None = None

    @on(events.Mount)
    def _remember_opening(self) -> None:
        # What the fields held when the form opened (a number filled in for the agent is
        # not something they typed). Textual runs this after the form's own on_mount.
        self._opened_with = self._field_values()

    def _field_values(self) -> dict[str, str]:
        return {str(field.id): field.value for field in self.query(Input)}

    def typed_something(self) -> bool:
        opened = self._opened_with or {}
        return any(value.strip() and value != opened.get(key, "")
                   for key, value in self._field_values().items())

    def action_cancel(self) -> None:
        if not self.typed_something():
            self.dismiss(None)
            return
        focused = self.focused

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)
            elif focused is not None and focused.is_attached:
                focused.focus()

        self.app.push_screen(DiscardScreen(), answered)
