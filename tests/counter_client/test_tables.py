"""The resident screen's tables (issue 19 leftovers, points 3 and 4): columns as wide as
this resident's data, whatever the previous one had, and rows that line up in the
terminal even with an emoji pasted from a phone (« ❤️ », « ☎️ »)."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
from textual.render import measure

from counter_client.screens.resident import ResidentScreen
from crm_core.client import RelaisClient
from crm_core.client.tui import CasesTable, Timeline
from crm_core.client.tui.fast_table import FastTable
from tests.counter_client.snapshot import visible_text
from tests.counter_client.support import (
    counter_app,
    create_resident,
    running,
    sign_in,
    wait_for,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio
LONG = "Demande de copie intégrale d'acte de naissance pour un dossier de retraite"


def _widths_fit_the_rows(table: FastTable) -> bool:
    """Each column exactly as wide as its header or its widest cell, no wider."""
    console = table.app.console
    for column in table.ordered_columns:
        cells = [measure(console, cell, 1) for cell in table.get_column(column.key)]
        if column.content_width != max([measure(console, column.label, 1), *cells]):
            return False
    return True


def _terminal_cells(text: str) -> int:
    """Cells as tmux, xterm or the Linux console draw them: U+FE0F adds none."""
    return sum(0 if char == "\ufe0f" or unicodedata.combining(char)
               else 2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _rows(table: FastTable) -> list[str]:
    return [strip.text for strip in table.render_lines(table.region.reset_offset)]


async def test_the_next_resident_gets_columns_for_their_own_data(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    first = create_resident(api)
    api.open_case(resident_id=first["id"], service_code="etat-civil", subject=LONG)
    api.record_interaction(resident_id=first["id"], outcome="informed", note=LONG)
    second = create_resident(api, given_name="Paul", family_name="Martin", phones=[],
                             emails=[])
    api.open_case(resident_id=second["id"], service_code="etat-civil", subject="Acte")
    api.record_interaction(resident_id=second["id"], outcome="informed", note="Vu")
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        app.open_resident(first["id"])
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        screen = app.screen
        assert isinstance(screen, ResidentScreen)
        cases, timeline = screen.query_one(CasesTable), screen.query_one(Timeline)
        await wait_for(pilot, lambda: cases.row_count == 1 and timeline.row_count >= 1)
        wide: dict[str, Any] = {"cases": cases.virtual_size.width,
                                "timeline": timeline.virtual_size.width}
        app.open_resident(second["id"])  # the same screen, refilled
        await wait_for(pilot, lambda: screen.resident_id == second["id"])
        await wait_for(pilot, lambda: cases.row_count == 1 and timeline.row_count >= 1)
        await pilot.pause(0.2)
        assert _widths_fit_the_rows(cases) and _widths_fit_the_rows(timeline)
        assert cases.virtual_size.width < wide["cases"]
        assert timeline.virtual_size.width < wide["timeline"]


async def test_an_emoji_in_the_data_keeps_every_row_in_line(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    resident = create_resident(api, given_name="Zoé")  # names refuse emoji
    api.open_case(resident_id=resident["id"], service_code="etat-civil",
                  subject="Fête ❤️ des voisins")
    api.open_case(resident_id=resident["id"], service_code="urbanisme", subject="Clôture")
    api.record_interaction(resident_id=resident["id"], outcome="informed",
                           note="Rappel ☎️ demandé")
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (120, 36)) as pilot:
        await sign_in(pilot)
        app.open_resident(resident["id"])
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        screen = app.screen
        cases, timeline = screen.query_one(CasesTable), screen.query_one(Timeline)
        await wait_for(pilot, lambda: cases.row_count == 2 and timeline.row_count >= 1)
        await pilot.pause(0.2)
        # The border, the header, then the rows.
        case_rows = _rows(cases)[:cases.row_count + 2]
        timeline_rows = _rows(timeline)[:timeline.row_count + 2]
        rows = case_rows + timeline_rows
        shown = visible_text(app)
    assert "\ufe0f" not in "".join(rows) and "\ufe0f" not in shown
    assert any("Fête ❤ des voisins" in row for row in rows)
    assert any("Rappel ☎ demandé" in row for row in rows)
    for table_rows in (case_rows, timeline_rows):  # every row lines up with its border
        assert len({_terminal_cells(row) for row in table_rows}) == 1, table_rows
