"""Escape never drops what the agent typed without asking (issue 19 leftovers, point 1):
the counter's forms ask « Abandonner la saisie ? », keep everything on Échap, close on A."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input, OptionList

from counter_client.screens.case_form import CaseFormScreen
from counter_client.screens.contact import ContactScreen
from counter_client.screens.resident import ResidentScreen
from counter_client.screens.status import StatusScreen
from counter_client.screens.visit import VisitScreen
from crm_core.client import RelaisClient
from crm_core.client.tui.discard import DiscardScreen
from tests.counter_client.snapshot import visible_text
from tests.counter_client.support import (
    counter_app,
    create_resident,
    running,
    sign_in,
    type_text,
    wait_for,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio


def _showing(app: App[Any], screen_type: type) -> Callable[[], bool]:
    return lambda: isinstance(app.screen, screen_type)


async def test_escape_asks_before_dropping_a_typed_note_and_keeps_it_on_escape(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        app.open_resident(resident["id"])
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VisitScreen))
        await pilot.press("escape")  # nothing typed: closes at once, as before
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))

        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VisitScreen))
        form = app.screen
        await pilot.press("tab", "tab")
        await type_text(pilot, "Pièces à apporter")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen))
        shown = visible_text(app)
        assert "Abandonner la saisie ?" in shown and "Reprendre la saisie (Échap)" in shown
        await pilot.press("escape")  # the safe answer: back to the form, note intact
        await wait_for(pilot, lambda: app.screen is form)
        assert form.query_one("#note", Input).value == "Pièces à apporter"
        assert app.focused is form.query_one("#note", Input)
        await pilot.press("escape", "enter")  # Enter on the focused « Reprendre »: kept
        await wait_for(pilot, lambda: app.screen is form)
        await pilot.press("escape", "a")  # the agent means it: discarded, nothing sent
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        assert app.journal.entries() == []
    assert api.timeline(resident["id"]) == []


async def test_every_counter_form_with_typed_text_asks(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    api.open_case(resident_id=resident["id"], service_code="etat-civil", subject="Acte")
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        app.open_resident(resident["id"])
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        for key, form_type, field in (("n", CaseFormScreen, "#subject"),
                                      ("c", ContactScreen, "#value"),
                                      ("s", StatusScreen, "#note")):
            await pilot.press(key)
            await wait_for(pilot, _showing(app, form_type))
            if form_type is StatusScreen:  # its list loads first, then takes the focus
                await wait_for(pilot, lambda: app.screen.query_one(
                    "#targets", OptionList).option_count > 0)
            app.screen.query_one(field, Input).focus()
            await type_text(pilot, "à garder")
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen))
            await pilot.press("escape")
            await wait_for(pilot, _showing(app, form_type))
            assert app.screen.query_one(field, Input).value == "à garder"
            await pilot.press("escape", "a")
            await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        assert app.journal.entries() == []
