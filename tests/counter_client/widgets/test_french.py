"""No Textual English reaches the agents (issue 19, point 4): the command palette is off,
the select menu's key is described in French, Ctrl+C's hint is French. Both apps."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import ComposeResult
from textual.command import CommandPalette

from counter_client.app import CounterApp
from crm_core.client.tui.french import Choice, FrenchApp
from crm_core.client.tui.key_bar import KeyBar
from phone_desk.app import PhoneDeskApp

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).parents[3]


class _Form(FrenchApp):
    def compose(self) -> ComposeResult:
        yield Choice([("Renseigné", "informed"), ("Orienté", "redirected")],
                     allow_blank=False, id="outcome")
        yield KeyBar()


async def test_an_open_menu_and_the_system_keys_speak_french() -> None:
    app = _Form()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")  # was the English command palette
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        app.query_one(Choice).focus()
        await pilot.press("enter")  # opens the menu
        await pilot.pause()
        bar = str(app.query_one(KeyBar).render())
        assert "Fermer la liste" in bar and "Dismiss" not in bar
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["Pour quitter l'application : Ctrl+Q."]


def test_both_apps_use_the_french_mechanism() -> None:
    assert issubclass(CounterApp, FrenchApp) and issubclass(PhoneDeskApp, FrenchApp)
    for folder in ("counter_client", "phone_desk"):
        for source in (ROOT / folder).rglob("*.py"):
            assert "yield Select(" not in source.read_text(encoding="utf-8"), source
