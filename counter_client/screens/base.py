"""What every counter screen shares: the status line, the message line, the key bar."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Static

from counter_client.host import CounterHost
from counter_client.plain import plain


class MessageLine(Static):
    """Errors and confirmations, in plain French, right where the agent looks."""

    _said: tuple[str, bool] = ("", False)

    def say(self, text: str, *, error: bool = False) -> None:
        if (text, error) == self._said:
            return  # the same words again would only cost a layout and a repaint
        self._said = (text, error)
        self.set_class(error, "error")
        self.update(plain(("⚠ " if error and text else "") + text))


class CounterScreen(Screen[None]):
    @property
    def counter(self) -> CounterHost:
        assert isinstance(self.app, CounterHost)
        return self.app

    def say(self, text: str, *, error: bool = False) -> None:
        for line in self.query(MessageLine):
            line.say(text, error=error)
            return
        self.app.notify(text, severity="error" if error else "information", markup=False)
