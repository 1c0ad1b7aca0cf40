"""FastTable: strings are plain text, and its direct drawing matches DataTable's own."""

from __future__ import annotations

from typing import Literal

import pytest
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from counter_client.widgets.fast_table import FastTable

ROWS = [
    ("VIS-4K7P", Text("Cartes d'identité", style="bold"), "[/x] note [b]pas gras[/b]"),
    ("", Text("tabulation\tici"), "très long texte " * 6),
    ("日本語", Text.assemble(("deux ", "bold"), "styles"), Text("en retard", style="red")),
]


class _Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield FastTable(id="fast", cursor_type="row", zebra_stripes=True)


def _cells(lines: list[list[Segment]]) -> list[tuple[str, Style | None]]:
    """One (character, style) pair per character, whatever the segment boundaries."""
    return [(char, segment.style) for line in lines for segment in line
            for char in segment.text]


@pytest.mark.anyio
async def test_brackets_are_shown_as_written() -> None:
    app = _Tables()
    async with app.run_test(size=(100, 10)) as pilot:
        table = app.query_one(FastTable)
        table.add_columns("Réf", "Thème", "Note")
        table.add_rows(ROWS)
        await pilot.pause()
        shown = "\n".join(strip.text for strip in table.render_lines(table.region.reset_offset))
    assert "[/x] note [b]pas gras[/b]" in shown


@pytest.mark.anyio
@pytest.mark.parametrize(("cursor", "hover"), [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("priority", ["css", "renderable"])
async def test_direct_drawing_matches_the_datatable(
    cursor: bool, hover: bool, priority: Literal["css", "renderable"],
) -> None:
    app = _Tables()
    async with app.run_test(size=(100, 10)) as pilot:
        table = app.query_one(FastTable)
        table.add_columns("Réf", "Thème", "Note")
        table.add_rows(ROWS)
        table.cursor_foreground_priority = table.cursor_background_priority = priority
        await pilot.pause()
        drawn_fast = 0
        for row in range(len(ROWS)):
            for column, width in enumerate((12, 20, 40)):
                base = Style(bgcolor="grey11") if row % 2 else Style()
                fast = table._fast_cell(row, column, base, width, cursor, hover)
                table._cell_render_cache.clear()
                slow = DataTable._render_cell(table, row, column, base, width, cursor, hover)
                table._cell_render_cache.clear()
                if fast is not None:
                    drawn_fast += 1
                    assert _cells(fast) == _cells(slow), (row, column)
                    assert sum(segment.cell_length for segment in fast[0]) == width
    # tabs, several spans and text wider than its column go DataTable's way
    assert drawn_fast == 6
