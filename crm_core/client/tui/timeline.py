"""The cross-channel timeline: every exchange with its channel, site, agent and outcome."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import DataTable

from crm_core.client.tui import labels
from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.fast_table import FastTable

# What matters first: at 80 columns the outcome and the note must show; who and where
# come last (scroll right).
COLUMNS = ("Date", "Canal", "Résultat", "Demande", "Note", "Site", "Agent")
NOTE_WIDTH = 60


class Timeline(FastTable):
    """Newest first. Enter on an entry posts `EntrySelected`; reaching the last row posts
    `MoreRequested` with the oldest date shown, for the app to page back (`before=`)."""

    DEFAULT_CSS = """
    Timeline { height: 1fr; min-height: 4; }
    """

    class EntrySelected(Message):
        def __init__(self, timeline: Timeline, entry: dict[str, Any]) -> None:
            super().__init__()
            self.timeline = timeline
            self.entry = entry

        @property
        def control(self) -> Timeline:
            return self.timeline

    class MoreRequested(Message):
        def __init__(self, timeline: Timeline, before: str) -> None:
            super().__init__()
            self.timeline = timeline
            self.before = before

        @property
        def control(self) -> Timeline:
            return self.timeline

    def __init__(self, *, city: CityTime, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row")
        self.city = city
        self.entries: list[dict[str, Any]] = []
        self.complete = False
        self.border_title = "Historique (tous canaux)"

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS)

    def show(self, entries: Sequence[Mapping[str, Any]]) -> None:
        self.entries = []
        self.complete = False
        self.clear()
        self.extend(entries)

    def extend(self, entries: Sequence[Mapping[str, Any]], *, complete: bool = False) -> None:
        """Add older entries below (a page from `RelaisClient.timeline(before=...)`)."""
        known = {str(entry["id"]) for entry in self.entries}
        for entry in entries:
            if str(entry["id"]) in known:
                continue
            self.entries.append(dict(entry))
            note = str(entry.get("note") or "").replace("\n", " ")
            if len(note) > NOTE_WIDTH:
                note = note[: NOTE_WIDTH - 1] + "…"
            self.add_row(
                labels.local_datetime(entry.get("occurred_at"), zone=self.city.zone),
                Text(labels.label(labels.CHANNELS, entry.get("channel")), style="bold"),
                labels.label(labels.OUTCOMES, entry.get("outcome")),
                labels.reference(entry.get("case_reference")),
                note,
                str(entry.get("site") or "—"),
                str(entry.get("agent") or "—"),
                key=str(entry["id"]),
            )
        self.complete = self.complete or complete
        self.border_subtitle = f"{len(self.entries)} échange(s)"

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= self.cursor_row < len(self.entries):
            self.post_message(self.EntrySelected(self, self.entries[self.cursor_row]))

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if (not self.complete and self.entries
                and self.cursor_row == len(self.entries) - 1):
            self.post_message(
                self.MoreRequested(self, str(self.entries[-1]["occurred_at"]))
            )
