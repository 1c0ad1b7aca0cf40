"""The day's calls and the call-backs to make."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.fast_table import FastTable
from crm_core.client.tui.labels import local_datetime
from phone_desk import labels


class CallsTable(FastTable):
    DEFAULT_CSS = "CallsTable { height: 1fr; }"

    def __init__(self, *, city: CityTime, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.city = city
        self.border_title = "Appels du jour"

    def on_mount(self) -> None:
        self.add_columns("Heure", "Sens", "Numéro", "File", "État", "Enregistré")

    def show(self, calls: Sequence[Mapping[str, Any]]) -> None:
        self.clear()
        for call in calls:
            self.add_row(
                labels.hour(call.get("started_at"), zone=self.city.zone),
                labels.DIRECTIONS.get(call.get("direction", ""), "—"),
                str(call.get("remote_display", "")), str(call.get("queue") or "—"),
                labels.call_status(call.get("status")),
                "✓ oui" if call.get("interaction_id") else "non", key=str(call["id"]),
            )


class CallbacksTable(FastTable):
    DEFAULT_CSS = "CallbacksTable { height: 1fr; }"

    def __init__(self, *, city: CityTime, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.city = city
        self.border_title = "Rappels à faire"
        self.callbacks: Sequence[Mapping[str, Any]] = []

    def on_mount(self) -> None:
        self.add_columns("Pour", "Numéro", "Motif")

    def show(self, callbacks: Sequence[Mapping[str, Any]]) -> None:
        self.callbacks = callbacks
        self.clear()
        for callback in callbacks:
            due = local_datetime(callback.get("due_at"), zone=self.city.zone)
            self.add_row(("⚠ " if callback.get("overdue") else "") + due,
                         str(callback.get("phone_display", "")), str(callback.get("reason", "")),
                         key=str(callback["id"]))

    def current(self) -> Mapping[str, Any] | None:
        if not self.callbacks or self.cursor_row < 0 or self.cursor_row >= len(self.callbacks):
            return None
        return self.callbacks[self.cursor_row]
