"""The desk's tables: FastTable, drawn again once the new rows are measured.

FastTable.clear() gives the columns back their headers' widths; the rows added next widen
them on the table's idle pass. A paint between the two (the call form closing as the day's
lists come back) cached every cell at the headers' widths, and DataTable's cell cache is
not keyed by width: the columns stayed collapsed on screen after they had grown.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets.data_table import RowKey

from counter_client.widgets.fast_table import FastTable


class DeskTable(FastTable):
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        widths = [column.content_width for column in self.columns.values()]
        super()._update_dimensions(new_rows)
        if widths != [column.content_width for column in self.columns.values()]:
            self._clear_caches()  # cells cached at the old widths are drawn again
            self.refresh()
