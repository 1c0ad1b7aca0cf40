"""The line at the top of every counter screen: who, where, online or not, what waits."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.events import Resize
from textual.widgets import Static

OFFLINE = "  ✗ HORS LIGNE"
OFFLINE_MORE = " : travail enregistré localement"


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; padding: 0 1; }
    """

    def on_mount(self) -> None:
        for name in ("online", "pending", "rejected", "agent", "ticket"):
            self.watch(self.app, name, self._changed, init=False)
        self._changed()

    def on_resize(self, _: Resize) -> None:
        self._changed()

    def _changed(self, *_: object) -> None:
        """What waits and whether the line is up always show; the agent's name and the
        offline explanation give way first when the line is narrow (80 columns)."""
        app = self.app
        online = bool(getattr(app, "online", True))
        counts = Text()
        pending = int(getattr(app, "pending", 0))
        if pending:
            counts.append(f"  ⧗ {pending} à envoyer", style="bold")
        rejected = int(getattr(app, "rejected", 0))
        if rejected:
            counts.append(f"  ⚠ {rejected} refusé(s)", style="bold")
        ticket = str(getattr(app, "ticket", ""))
        if ticket:
            counts.append(f"  Ticket {ticket}", style="bold")
        line = Text("  ● en ligne") if online else Text(OFFLINE, style="bold reverse")
        width = self.content_size.width or 10_000
        agent = str(getattr(app, "agent", ""))
        if not online and cell_len(agent + OFFLINE + OFFLINE_MORE) + counts.cell_len <= width:
            line.append(OFFLINE_MORE, style="bold reverse")
        room = max(width - line.cell_len - counts.cell_len, 0)
        name = Text(agent)
        if name.cell_len > room:
            name.truncate(room, overflow="ellipsis")
        text = Text()
        text.append_text(Text(name.plain, style="bold"))
        text.append_text(line)
        text.append_text(counts)
        self.update(text, layout=False)  # one line, always
