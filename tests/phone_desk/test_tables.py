"""The desk shows data pasted from a phone (« ☎️ », « ❤️ ») one cell wide, as Rich counts
it, so that rows and the banner line up in any terminal (issue 19 leftovers, point 4)."""

from __future__ import annotations

from typing import Any

import pytest

from counter_client.widgets.cases_table import CasesTable
from counter_client.widgets.resident_card import ResidentCard
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
