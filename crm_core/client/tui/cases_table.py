"""The open cases of a resident: reference, status, due date, origin, theme, subject, age."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import DataTable

from crm_core.client.tui import labels
from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.fast_table import FastTable

# What matters first: at 80 columns the status and the due date must show.
COLUMNS = ("Référence", "Statut", "Échéance", "Origine", "Thème", "Objet", "Âge")


class CasesTable(FastTable):
    """One row per open case; Enter on a row posts `CaseSelected`."""

    DEFAULT_CSS = """
    CasesTable { height: auto; max-height: 8; }
    """

    class CaseSelected(Message):
        def __init__(self, table: CasesTable, case: Mapping[str, Any]) -> None:
            super().__init__()
            self.table = table
            self.case = case

        @property
        def control(self) -> CasesTable:
            return self.table

    def __init__(
        self, *, city: CityTime, today: Callable[[], date] | None = None,
        id: str | None = None, classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.city = city
        self.today = today or city.today
        self.cases: list[Mapping[str, Any]] = []
        self.border_title = "Demandes ouvertes"

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS)

    def show(self, cases: Sequence[Mapping[str, Any]]) -> None:
        self.cases = list(cases)
        self.clear()
        today = self.today()
        for case in self.cases:
            due = labels.day(case.get("due_date"))
            if case.get("overdue"):
                due = f"⚠ {due} retard"
            self.add_row(
                Text(str(case.get("display_reference") or case["reference"]), style="bold"),
                labels.case_status(case["status"]),
                due,
                labels.label(labels.CHANNELS, case.get("origin_channel")),
                str(case.get("service_label", "")),
                str(case.get("subject", "")),
                labels.age(case.get("opened_at"), today=today, zone=self.city.zone),
                key=str(case["reference"]),
            )
        self.border_subtitle = f"{len(self.cases)} demande(s)" if self.cases else "aucune"

    def highlight(self, reference: str) -> bool:
        """Moves the cursor to the case with this reference, written in any way the agent
        may have typed it (« 7k4m 2xa »); False when it is not among the cases shown."""
        for row, case in enumerate(self.cases):
            if same_reference(str(case["reference"]), reference):
                self.move_cursor(row=row)
                return True
        return False

    @property
    def current_case(self) -> Mapping[str, Any] | None:
        if not self.cases or self.cursor_row < 0 or self.cursor_row >= len(self.cases):
            return None
        return self.cases[self.cursor_row]

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        case = self.current_case
        if case is not None:
            self.post_message(self.CaseSelected(self, case))


def same_reference(one: str, other: str) -> bool:
    """Two spellings of one case reference (« 7k4m 2xa » is « 7K4M2XA »)?"""
    return _compact(one) == _compact(other)


def _compact(reference: str) -> str:
    return "".join(char for char in reference.upper() if char.isalnum())
