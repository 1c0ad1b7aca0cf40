"""Texts stored before the server refused controls (a call-back reason holding an escape
sequence or a direction override) reach the desk: drawn without them."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from crm_core.client.tui.city_time import CityTime
from phone_desk.widgets.day_lists import CallbacksTable

pytestmark = pytest.mark.anyio


class _Desk(App[None]):
    def compose(self) -> ComposeResult:
        yield CallbacksTable(id="callbacks", city=CityTime())


async def test_a_call_back_reason_is_drawn_without_controls_or_overrides() -> None:
    app = _Desk()
    async with app.run_test(size=(100, 10)) as pilot:
        table = app.query_one(CallbacksTable)
        table.show([{"id": "c1", "due_at": None, "phone_display": "06 12 34 56 78",
                     "reason": "Rappeler\x1b[2J\x07 pour\u202e l'acte\r"}])
        await pilot.pause()
        cell = table.get_row_at(0)[2]
        drawn = getattr(cell, "plain", str(cell))
        assert drawn == "Rappeler[2J pour l'acte"
