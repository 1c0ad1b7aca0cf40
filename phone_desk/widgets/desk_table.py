"""The desk's tables: drawn again once their new rows are measured.

FastTable.clear() gives the columns back their headers' widths; the rows added next widen
them on the table's idle pass. A paint between the two (the call form closing as the day's
lists come back) cached every cell at the headers' widths, and DataTable's cell cache is
not keyed by width: the columns stayed collapsed on screen after they had grown. The
counter's tables shown on the desk (its cases, its timeline) get the same fix here.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from counter_client.widgets.cases_table import CasesTable
from counter_client.widgets.fast_table import FastTable
from counter_client.widgets.timeline import Timeline


class RedrawnWhenWidened(DataTable):  # type: ignore[type-arg]
    """Mixed in after a DataTable class (Textual's type selectors follow first bases:
    `query_one(CasesTable)` and the CSS of CasesTable still find the desk's own)."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        widths = [column.content_width for column in self.columns.values()]
        super()._update_dimensions(new_rows)
        if widths != [column.content_width for column in self.columns.values()]:
            self._clear_caches()  # cells cached at the old widths are drawn again
            self.refresh()


class DeskTable(FastTable, RedrawnWhenWidened):
    pass


class DeskCasesTable(CasesTable, RedrawnWhenWidened):
    pass


class DeskTimeline(Timeline, RedrawnWhenWidened):
    pass
