"""A DataTable for data, not markup, that draws its one-line cells cheaply.

Textual's DataTable reads every `str` cell as Rich markup: a note holding "[/x]" would
raise, and "[b]" would turn bold. Here a `str` is always plain text. Drawing a cell also
goes through Rich's whole pipeline (padding, measuring, wrapping, styling), which was
most of the time spent between a scan and the resident screen on the counter; a one-line
cell of unbroken plain text (the common case) is drawn here directly, with the same
segments and styles, and anything else (spans, line breaks, tabs, too wide) still goes
through the DataTable's own path.

`clear()` also gives each column back its header's width: DataTable only ever widens a
column, so a long subject or note of one resident kept the columns wide for the next one
(and pushed the last columns out of an 80-column screen). The rows added next widen the
columns again on the table's idle pass; a paint in between caches every cell at the
headers' widths, and DataTable's cell cache is not keyed by width: so once a column
grows, the cached cells are dropped and drawn again (columns stayed collapsed on screen
after a form closed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.render import measure
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, RowKey

from crm_core.client.tui.plain import plain

_SPECIAL = frozenset("\n\r\t\x1b")


class FastTable(DataTable[Text]):
    """Cells may be given as `str` (plain text) or `Text`."""

    def add_row(
        self, *cells: CellType | str, height: int | None = 1,
        key: str | None = None, label: str | Text | None = None,
    ) -> RowKey:
        return super().add_row(*(plain(cell) for cell in cells), height=height, key=key,
                               label=plain(label) if label is not None else None)

    def add_rows(self, rows: Iterable[Iterable[Any]]) -> list[RowKey]:
        return [self.add_row(*row) for row in rows]

    def clear(self, columns: bool = False) -> Self:
        super().clear(columns)
        for column in self.columns.values():  # the rows added next widen them again
            column.content_width = measure(self.app.console, column.label, 1)
        return self

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        widths = [column.content_width for column in self.columns.values()]
        super()._update_dimensions(new_rows)
        if widths != [column.content_width for column in self.columns.values()]:
            self._clear_caches()
            self.refresh()

    def _render_cell(
        self, row_index: int, column_index: int, base_style: Style, width: int,
        cursor: bool = False, hover: bool = False,
    ) -> list[list[Segment]]:
        lines = self._fast_cell(row_index, column_index, base_style, width, cursor, hover)
        if lines is None:
            return super()._render_cell(row_index, column_index, base_style, width,
                                        cursor, hover)
        return lines

    def _fast_cell(
        self, row_index: int, column_index: int, base_style: Style, width: int,
        cursor: bool, hover: bool,
    ) -> list[list[Segment]] | None:
        if (row_index < self.fixed_rows or column_index < self.fixed_columns
                or row_index < 0 or column_index < 0):
            return None  # headers, labels and fixed cells keep DataTable's styling rules
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return None
        row = self.rows.get(row_key)
        if row is None or row.height != 1:
            return None
        # The same key as DataTable's, so that both paths share (and clear) one cache.
        cache_key = (row_key, column_key, base_style, cursor, hover,
                     self._show_hover_cursor, self._update_count, self._pseudo_class_state)
        cached: list[list[Segment]] | None = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        cell = self._data[row_key].get(column_key)
        text = cell if isinstance(cell, Text) else None
        padding = self.cell_padding
        inner = width - 2 * padding
        if (text is None or text.spans or text.justify not in (None, "default")
                or _SPECIAL.intersection(text.plain)):
            return None
        content = text.plain
        content_width = cell_len(content)
        if content_width > inner:
            return None  # truncation rules are DataTable's
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre = base_style + Style.from_meta({"row": row_index, "column": column_index})
        pre += component_style
        blank = pre + post_style
        own = self.app.console.get_style(text.style) if text.style else None
        if own is None:
            line = [Segment(" " * padding + content + " " * (inner - content_width + padding),
                            blank)]
        else:
            line = [Segment(" " * padding, blank), Segment(content, pre + own + post_style),
                    Segment(" " * (inner - content_width + padding), blank)]
        lines = [line]
        self._cell_render_cache[cache_key] = lines
        return lines
