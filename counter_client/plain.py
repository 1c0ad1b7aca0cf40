"""Data shown as typed. Textual parses every `str` given to a Static, a Label, an Option,
a Select prompt, a border title or a notification as markup: a service label or a site
code holding "[/]" would crash the app, and "[b]" would restyle it. Anything that comes
from data (the server, the agent's typing, the local journal) goes through `plain()`
first; only the apps' own fixed strings are left as markup."""

from __future__ import annotations

from rich.text import Text


def plain(value: object, style: str = "") -> Text:
    """A value as text that is never parsed as markup."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else str(value), style=style, end="")
