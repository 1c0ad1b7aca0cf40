"""The key bar at the bottom of every screen: the keys that work here, as one line of text.

Textual's `Footer` rebuilds a widget per key (and restyles each) whenever the bindings
change, which they do at every screen switch; at a counter that is every scan, and it
cost more than the lookup itself. This bar draws the same information as one `Static`.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

# Always on the bar, after the screen's own keys: help (which lists every key) and sign-out.
ESSENTIAL_ACTIONS = frozenset({"help", "sign_out"})

_NAMES = {"esc": "Échap", "enter": "Entrée", "tab": "Tab", "up": "↑", "down": "↓"}


def key_label(display: str) -> str:
    """"v" → "V", "f5" → "F5", "^s" → "Ctrl+S", "esc" → "Échap": as printed on keyboards."""
    if display.startswith("^") and len(display) == 2:
        return f"Ctrl+{display[1].upper()}"
    if len(display) == 1 or (display[0] == "f" and display[1:].isdigit()):
        return display.upper()
    return _NAMES.get(display, display)


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $foreground; }
    """

    _drawn: Text | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._draw()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        """The screen's keys in order, as many as fit, then the app's essential keys
        (help, sign-out), always shown: at 80 columns the bar ended « F1 Aide F2 » and
        F10 was not visible (issue 19). F1 lists every key."""
        keys: list[tuple[Text, bool]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = key_label(self.app.get_key_display(binding))
            entry = Text()
            entry.append(f" {key} ", style="bold reverse" if enabled else "dim reverse")
            entry.append(f" {binding.description} ", style="" if enabled else "dim")
            keys.append((entry, binding.action in ESSENTIAL_ACTIONS))
        width = self.size.width or self.app.size.width
        room = width - sum(len(entry) for entry, essential in keys if essential)
        text = Text(no_wrap=True, overflow="ellipsis")
        for entry, essential in keys:
            if not essential and len(entry) <= room:
                text.append_text(entry)
                room -= len(entry)
            elif not essential:
                room = 0  # in order: a later, shorter key never jumps ahead
        for entry, essential in keys:
            if essential:
                text.append_text(entry)
        if text == self._drawn:
            return  # bindings are "updated" at every focus change, mostly to the same keys
        self._drawn = text
        self.update(text, layout=False)  # docked, one line: its size never changes
