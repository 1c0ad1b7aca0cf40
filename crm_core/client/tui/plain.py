"""Data shown as typed. Textual parses every `str` given to a Static, a Label, an Option,
a Select prompt, a border title or a notification as markup: a service label or a site
code holding "[/]" would crash the app, and "[b]" would restyle it. Anything that comes
from data (the server, the agent's typing, the local journal) goes through `plain()`
first; only the apps' own fixed strings are left as markup.

`plain()` also drops the emoji variation selector (U+FE0F, in "❤️", "☎️" pasted from a
phone). Rich counts such a pair two cells wide, as the emoji it asks for; many terminals
(tmux, xterm, the Linux console) draw one cell, so everything after it on the row moved
one column left and a table's row no longer lined up. Without the selector the character
takes its text form, one cell wide for Rich and for every terminal alike.

It drops as well the control characters but newline and tab (ESC starts a sequence the
terminal obeys: colours, a cleared screen, a new window title; BEL rings; CR goes back
to the start of the row) and the direction controls (U+202E reverses what follows):
texts stored before the server refused them still reach the desks.
"""

from __future__ import annotations

import re

from rich.text import Text

EMOJI_PRESENTATION = "\ufe0f"
_DIRECTION_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# C0 but tab and newline, DEL and C1, direction controls, line/paragraph separators.
_NOT_SHOWN = re.compile(
    f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_DIRECTION_CONTROLS}\\u2028\\u2029{EMOJI_PRESENTATION}]")


def shown(value: str) -> str:
    """A string as the terminals draw it with the width Rich counts (see above)."""
    return _NOT_SHOWN.sub("", value)


def plain(value: object, style: str = "") -> Text:
    """A value as text that is never parsed as markup, one cell per counted cell."""
    if isinstance(value, Text):
        return _shown_text(value)
    return Text("" if value is None else shown(str(value)), style=style, end="")


def _shown_text(text: Text) -> Text:
    """`shown()` for styled text: the styles stay on the characters they were on."""
    cuts = [match.start() for match in _NOT_SHOWN.finditer(text.plain)]
    if not cuts:
        return text
    pieces = text.divide(cuts)  # every piece after the first starts with a dropped one
    result = text.blank_copy()
    for index, piece in enumerate(pieces):
        result.append_text(piece if index == 0 else piece[1:])
    return result
