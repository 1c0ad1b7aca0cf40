"""Ranked search candidates (or the residents who share a number), one row each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual import on
from textual.message import Message
from textual.widgets import DataTable

from crm_core.client.tui import labels
from crm_core.client.tui.fast_table import FastTable


class SearchResults(FastTable):
    DEFAULT_CSS = """
    SearchResults { height: auto; max-height: 10; }
    """

    class Picked(Message):
        def __init__(self, results: SearchResults, resident_id: str) -> None:
            super().__init__()
            self.results = results
            self.resident_id = resident_id

        @property
        def control(self) -> SearchResults:
            return self.results

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.border_title = "Usagers proposés"

    def on_mount(self) -> None:
        self.add_columns("Nom", "Prénom", "Naissance", "Commune", "Pourquoi")

    def show(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.clear()
        for row in rows:
            reasons = ", ".join(
                labels.REASON_FIELDS.get(r.get("field", ""), r.get("field", ""))
                for r in row.get("reasons", [])
            )
            self.add_row(
                str(row.get("family_name", "")), str(row.get("given_name", "")),
                labels.day(row.get("birth_date")), str(row.get("city") or "—"),
                reasons or "numéro partagé", key=str(row["resident_id"]),
            )

    @on(DataTable.RowSelected)
    def _picked(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.Picked(self, event.row_key.value))
