"""Keys that move between fields, taken in the order they were typed.

Textual hands each key to the widget focused when the app reads it, but Tab and Enter
move the focus only later, when the field has worked through the keys queued before them.
A burst (a scanner, a password manager, fast fingers typing "agent Tab password Enter")
thus put the password into the username field. Here Tab and Shift+Tab are priority
bindings: the focus moves as the app reads them, so each later key reaches the right field;
so does Enter on the username while no password is typed. Both apps' sign-in screens
(fields `#username` and `#password`) build on this.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.actions import SkipAction
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input


class FieldsInOrderScreen(Screen[None]):
    BINDINGS = [  # noqa: RUF012
        Binding("tab", "next_field", "Champ suivant", show=False, priority=True),
        Binding("shift+tab", "previous_field", "Champ précédent", show=False,
                priority=True),
        Binding("enter", "enter", "Valider", show=False, priority=True),
    ]

    def action_next_field(self) -> None:
        self.focus_next()

    def action_previous_field(self) -> None:
        self.focus_previous()

    def action_enter(self) -> None:
        """Enter on the username before any password moves on at once (a burst's next
        keys are the password); anywhere else it reaches the field, which submits."""
        focused = self.focused
        if (isinstance(focused, Input) and focused.id == "username"
                and not self.query_one("#password", Input).value):
            self.focus_next()
            return
        raise SkipAction()

    def when_typed(self, callback: Callable[[], None]) -> None:
        """Run `callback` once every field has taken the keys already sent to it (each
        field reads its own queue: the one left behind may not have caught up yet)."""
        fields = list(self.query(Input))

        def after(index: int) -> None:
            if index == len(fields):
                callback()
            elif not fields[index].call_later(after, index + 1):
                callback()  # the field is closing: nothing more will reach it

        after(0)
