"""What every counter screen shares: the status line, the message line, the key bar."""

from __future__ import annotations

from textual.screen import Screen

from counter_client.host import CounterHost
from crm_core.client.tui.message_line import MessageLine


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
