"""Pilot tests of each counter flow against a real Relais server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_client.screens.home import HomeScreen
from counter_client.screens.resident import ResidentScreen
from counter_client.screens.sign_in import SignInScreen
from crm_core.client import RelaisClient
from crm_core.client.tui import ResidentCard
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


async def test_sign_in_search_as_you_type_and_record_a_visit(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    create_resident(api, given_name="Paul", family_name="Martin", phones=[], emails=[])
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot)
        await pilot.press("f2")  # high contrast, and back
        assert app.theme == "relais-contraste"
        await pilot.press("f2")
        assert app.theme != "relais-contraste"
        await type_text(pilot, "camile durant")
        home = app.screen
        assert isinstance(home, HomeScreen)
        await wait_for(pilot, lambda: bool(home.results))
        assert str(home.results[0]["resident_id"]) == resident["id"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        card = str(app.screen.query_one(ResidentCard).render())
        assert "Camille DURAND" in card
        await pilot.press("v", "tab", "tab")  # Résultat, Demande concernée, Note
        await type_text(pilot, "Renseignement passeport")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.pending == 0 and isinstance(app.screen, ResidentScreen))
        await wait_for(pilot, lambda: len(api.timeline(resident["id"])) == 1)
    entry = api.timeline(resident["id"])[0]
    assert (entry["channel"], entry["outcome"], entry["note"]) == (
        "counter", "informed", "Renseignement passeport")
    assert entry["agent"] == "Accueil"
