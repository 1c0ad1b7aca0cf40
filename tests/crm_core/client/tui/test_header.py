"""The header whose screen goes away before its title is set does not stop the app."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets._header import HeaderTitle

from crm_core.client.tui.header import Header

pytestmark = pytest.mark.anyio


class _Titled(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()


async def test_a_title_set_after_the_header_lost_its_title_is_let_pass() -> None:
    app = _Titled()
    async with app.run_test() as pilot:
        await app.screen.query_one(HeaderTitle).remove()  # as when its screen is replaced
        app.title = "Poste téléphonique"
        await pilot.pause()
    # Textual's own header raised NoMatches here, which stopped the app (run_test re-raises).


async def test_the_title_is_shown() -> None:
    app = _Titled()
    async with app.run_test() as pilot:
        app.title = "Poste téléphonique"
        await pilot.pause()
        assert "Poste téléphonique" in str(app.screen.query_one(HeaderTitle).render())
