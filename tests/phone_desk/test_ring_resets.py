"""A new ring replaces everything the previous call showed, on canned data: the residents
proposed for a shared number, the file, what was typed, and answers still on their way."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from crm_core.client.tui.resident_card import ResidentCard
from phone_desk.screens.desk import DeskScreen
from phone_desk.widgets.day_lists import CallbacksTable
from phone_desk.widgets.search_results import SearchResults
from tests.counter_client.support import wait_for
from tests.phone_desk.canned import CALL, RESIDENT_ID, RING, SNAPSHOT, UNKNOWN_RING, canned_app

pytestmark = pytest.mark.anyio

FAMILY_RING = {
    "type": "ring",
    "call": {**CALL, "id": "family", "remote_number": "+33299001122",
             "remote_display": "02 99 00 11 22", "resident_id": None},
    "match": {"kind": "candidates", "resident_id": None, "resident": None, "candidates": [
        {"resident_id": RESIDENT_ID, "given_name": "Camille", "family_name": "Durand",
         "birth_date": "1984-03-12", "city": "Rennes", "reasons": []},
        {"resident_id": "0b6f1f4e-6c1e-4c59-9b52-5a3c2b1d9e02", "given_name": "Paul",
         "family_name": "Durand", "birth_date": "2010-06-01", "city": "Rennes",
         "reasons": []}]},
}
WITHHELD_RING = {
    "type": "ring",
    "call": {**CALL, "id": "withheld", "remote_raw": "anonymous", "remote_number": None,
             "remote_display": "Numéro masqué", "remote_kind": "anonymous",
             "resident_id": None},
    "match": {"kind": "none", "resident_id": None, "resident": None, "candidates": []},
}


async def _settled(pilot: Pilot[Any]) -> DeskScreen:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query(CallbacksTable))
                   and app.screen.query_one(CallbacksTable).row_count > 0)
    await pilot.pause(0.3)
    assert isinstance(app.screen, DeskScreen)
    return app.screen


def _nothing_of_the_last_call(desk: DeskScreen) -> None:
    results = desk.query_one(SearchResults)
    assert results.row_count == 0 and not results.display
    assert desk.summary is None
    assert desk.query_one(ResidentCard).summary is None
    assert desk.query_one("#birth", Input).value == ""
    assert desk.call is not None and desk.call["id"] == "withheld"


async def test_a_withheld_call_after_a_family_number_shows_no_family() -> None:
    app = canned_app(SNAPSHOT, FAMILY_RING, WITHHELD_RING)
    async with app.run_test(size=(140, 42)) as pilot:
        desk = await _settled(pilot)
        _nothing_of_the_last_call(desk)
        assert "Numéro masqué" in str(desk.query_one("#message").render())


async def test_a_file_asked_for_the_last_call_does_not_open_on_the_next() -> None:
    # The known caller's file is on its way when the withheld call rings: it must not
    # land on the withheld call (the agent would take the caller for Camille Durand).
    app = canned_app(SNAPSHOT, RING, WITHHELD_RING)
    async with app.run_test(size=(140, 42)) as pilot:
        desk = await _settled(pilot)
        _nothing_of_the_last_call(desk)
        await pilot.press("f4")
        assert "Ouvrez d'abord le dossier" in str(desk.query_one("#message").render())


async def test_a_reconnection_during_the_same_call_keeps_the_agents_work() -> None:
    # The feed reconnects and its snapshot holds the call already shown: not a new ring.
    app = canned_app(SNAPSHOT, UNKNOWN_RING)
    async with app.run_test(size=(140, 42)) as pilot:
        desk = await _settled(pilot)
        await pilot.press(*"camile durant")
        desk.on_feed({"type": "snapshot", "extension": "201", "calls": [
            {"call": UNKNOWN_RING["call"], "match": UNKNOWN_RING["match"]}]})
        await pilot.pause(0.2)
        assert desk.query_one("#search", Input).value == "camile durant"
