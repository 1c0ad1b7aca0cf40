"""The line where an app tells the agent what happened: errors and confirmations."""

from __future__ import annotations

from textual.widgets import Static

from crm_core.client.tui.plain import plain


class MessageLine(Static):
    """Errors and confirmations, in plain French, right where the agent looks."""

    _said: tuple[str, bool] = ("", False)

    def say(self, text: str, *, error: bool = False) -> None:
        if (text, error) == self._said:
            return  # the same words again would only cost a layout and a repaint
        self._said = (text, error)
        self.set_class(error, "error")
        self.update(plain(("⚠ " if error and text else "") + text))
