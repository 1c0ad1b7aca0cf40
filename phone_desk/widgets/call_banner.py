"""The incoming-call banner: who is calling (or that nobody knows the number), the queue,
and the call's state as the PBX reports it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.plain import plain
from phone_desk import labels


class CallBanner(Static):
    DEFAULT_CSS = """
    CallBanner { height: auto; padding: 0 1; border: heavy $warning; display: none; }
    CallBanner.-active { display: block; }
    CallBanner.-ringing { border: heavy $error; }
    """

    def __init__(self, *, city: CityTime, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.city = city
        self.call: dict[str, Any] | None = None
        self.match: dict[str, Any] | None = None
        self.border_title = "Appel"

    def show(self, call: dict[str, Any], match: dict[str, Any] | None = None) -> None:
        self.call = call
        if match is not None:
            self.match = match
        self.set_class(True, "-active")
        self.set_class(call.get("status") == "ringing", "-ringing")
        self.update(plain(self._text()))

    def clear(self) -> None:
        self.call = self.match = None
        self.set_class(False, "-active")
        self.set_class(False, "-ringing")
        self.update("")

    def _text(self) -> Text:
        call = self.call or {}
        text = Text()
        direction = "Appel entrant" if call.get("direction") == "in" else "Appel sortant"
        text.append(f"☎ {direction} — {call.get('remote_display', '')}", style="bold")
        if call.get("queue"):
            text.append(f"   file : {call['queue']}")
        text.append(f"   {labels.call_status(call.get('status'))}")
        text.append(f"   depuis {labels.hour(call.get('started_at'), zone=self.city.zone)}")
        line = labels.match_line(self.match)
        if line:
            text.append("\n")
            style = "bold" if (self.match or {}).get("kind") == "resident" else "italic"
            text.append(line, style=style)
        return text
