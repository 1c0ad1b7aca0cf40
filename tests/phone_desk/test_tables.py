"""The desk shows data pasted from a phone (« ☎️ », « ❤️ ») one cell wide, as Rich counts
it, so that rows and the banner line up in any terminal (issue 19 leftovers, point 4)."""

from __future__ import annotations

from typing import Any

import pytest

from crm_core.client.tui.cases_table import CasesTable
from crm_core.client.tui.resident_card import ResidentCard
from tests.counter_client.snapshot import visible_text
from tests.counter_client.support import wait_for
from tests.phone_desk.canned import CALL, RING, SNAPSHOT, SUMMARY, canned_app

pytestmark = pytest.mark.anyio


async def test_emoji_from_a_phone_do_not_shift_the_desk() -> None:
    summary: dict[str, Any] = {
        **SUMMARY, "open_cases": [{**SUMMARY["open_cases"][0],
                                   "subject": "Fête ❤️ des voisins"}]}
    ring = {**RING, "call": {**CALL, "queue": "allo ☎️ mairie"}}
    app = canned_app(SNAPSHOT, ring, summary=summary)
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query(ResidentCard))
                       and app.screen.query_one(ResidentCard).summary is not None)
        cases = app.screen.query_one(CasesTable)
        await wait_for(pilot, lambda: cases.row_count == 1)
        await pilot.pause(0.2)
        rows = [strip.text for strip in cases.render_lines(cases.region.reset_offset)][:3]
        shown = visible_text(app)
    assert "\ufe0f" not in "".join(rows) and "\ufe0f" not in shown
    assert "Fête ❤ des voisins" in rows[2]
    assert "allo ☎ mairie" in shown  # the banner


async def test_a_table_drawn_before_its_widths_are_known_is_drawn_again_in_full() -> None:
    """Seen in tmux at 80×24 after a call log (issue 19 leftovers, point 4): the lists are
    refilled, the screen paints before the table's idle pass measures the new rows, and
    the cells cached at the headers' widths stayed on screen after the widths grew."""
    from phone_desk.widgets.day_lists import CallsTable

    app = canned_app(SNAPSHOT, RING)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query(CallsTable))
                       and app.screen.query_one(CallsTable).row_count == 1)
        await pilot.pause(0.2)
        table = app.screen.query_one(CallsTable)
        table.show([CALL])  # as after a call log: cleared, refilled
        table.render_line(1)  # a paint before the idle pass (the form closing)
        await pilot.pause(0.2)
        assert "06 12 34 56 78" in table.render_line(1).text
