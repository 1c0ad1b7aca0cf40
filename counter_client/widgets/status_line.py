"""The line at the top of every counter screen: who, where, online or not, what waits."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; padding: 0 1; }
    """

    def on_mount(self) -> None:
        for name in ("online", "pending", "rejected", "agent", "ticket"):
            self.watch(self.app, name, self._changed, init=False)
        self._changed()

    def _changed(self, *_: object) -> None:
        app = self.app
        text = Text()
        text.append(str(getattr(app, "agent", "")), style="bold")
        if getattr(app, "online", True):
            text.append("  ● en ligne")
        else:
            text.append("  ✗ HORS LIGNE : travail enregistré localement", style="bold reverse")
        pending = int(getattr(app, "pending", 0))
        if pending:
            text.append(f"  ⧗ {pending} à envoyer", style="bold")
        rejected = int(getattr(app, "rejected", 0))
        if rejected:
            text.append(f"  ⚠ {rejected} refusé(s)", style="bold")
        ticket = str(getattr(app, "ticket", ""))
        if ticket:
            text.append(f"  Ticket {ticket}", style="bold")
        self.update(text, layout=False)  # one line, always
