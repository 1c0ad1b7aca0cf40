"""Textual's header, safe when its screen goes away at once.

Textual's `Header` updates its title in a callback queued when it mounts; when the screen
is replaced before that callback runs (the session ends as the desk appears), the title
is gone and the callback's `NoMatches` stops the whole app. This one lets it pass.
"""

from __future__ import annotations

import contextlib

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widget import Widget
from textual.widgets import Header as TextualHeader
from textual.widgets._header import HeaderTitle


class Header(TextualHeader):
    def _on_mount(self, event: Mount) -> None:
        event.prevent_default()  # Textual's header would queue its own, unguarded, update
        Widget._on_mount(self, event)  # what every widget does on mount

        async def set_title() -> None:
            with contextlib.suppress(NoScreen, NoMatches):  # it left its screen meanwhile
                self.query_one(HeaderTitle).update(self.format_title())

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
