"""FastTable: strings are plain text, and its direct drawing matches DataTable's own."""

from __future__ import annotations

from typing import Literal

import pytest
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from crm_core.client.tui.fast_table import FastTable

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


def _widths(table: FastTable) -> list[int]:
    return [column.get_render_width(table) for column in table.ordered_columns]


@pytest.mark.anyio
async def test_columns_narrow_again_for_the_next_rows() -> None:
    app = _Tables()
    async with app.run_test(size=(100, 10)) as pilot:
        table = app.query_one(FastTable)
        table.add_columns("Réf", "Objet", "Âge")
        table.add_row("A-1", "une très longue demande " * 3, "2 j")
        await pilot.pause()
        assert _widths(table)[1] > 60
        table.clear()
        table.add_row("B-1", "court", "1 j")
        await pilot.pause()
        fresh = FastTable()
        await app.mount(fresh)
        fresh.add_columns("Réf", "Objet", "Âge")
        fresh.add_row("B-1", "court", "1 j")
        await pilot.pause()
        assert _widths(table) == _widths(fresh) == [5, 7, 5]
        assert table.virtual_size.width == fresh.virtual_size.width


@pytest.mark.anyio
async def test_an_emoji_asking_for_its_emoji_form_keeps_the_row_in_line() -> None:
    """« ❤️ » is ❤ and U+FE0F: Rich counts two cells, tmux and xterm draw one, and the rest
    of the row moved left. Shown without the selector, it is one cell for both."""
    app = _Tables()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(FastTable)
        table.add_columns("Nom", "Objet", "Âge")
        table.add_row("Durand", "J'aime ❤️ la mairie", "2 j")
        table.add_row("Martin", Text("Téléphone ☎️ fixe", style="bold"), "3 j")
        table.add_row("Petit", "Sans emoji", "4 j")
        await pilot.pause()
        lines = [strip.text for strip in table.render_lines(table.region.reset_offset)][:4]
    assert not any("\ufe0f" in line for line in lines)
    assert "J'aime ❤ la mairie" in lines[1] and "Téléphone ☎ fixe" in lines[2]
    assert len({line.index("Âge") for line in lines[:1]} | {
        line.index(f"{n} j") for n, line in zip((2, 3, 4), lines[1:], strict=True)}) == 1


@pytest.mark.anyio
async def test_cells_painted_before_the_widths_grew_are_drawn_again() -> None:
    """A paint between `clear()` and the idle pass that measures the new rows cached the
    cells at the headers' widths; the columns then stayed collapsed on screen."""
    app = _Tables()
    async with app.run_test(size=(100, 10)) as pilot:
        table = app.query_one(FastTable)
        table.add_columns("Réf", "Note")
        table.add_rows([("A", "court")])
        await pilot.pause()
        table.clear()
        table.add_rows([("VIS-4K7P", "une note bien plus longue")])
        table.render_line(1)  # a paint before the idle pass
        await pilot.pause(0.2)
        shown = table.render_line(1).text
        assert "VIS-4K7P" in shown and "une note bien plus longue" in shown
