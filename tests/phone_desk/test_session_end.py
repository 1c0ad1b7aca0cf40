"""A session that ends while the desk is open (password changed elsewhere, account
deactivated): nothing of the resident stays on screen, the desk asks to sign in again and
does not say « hors ligne » (outside test after issue 20)."""

from __future__ import annotations

import pytest

from phone_desk.screens.desk import HEARD_HINT, SEARCH_HINT, DeskScreen
from phone_desk.screens.sign_in import SignInScreen
from tests.counter_client.support import wait_for
from tests.phone_desk.canned import RING, SNAPSHOT, canned_app
from tests.phone_desk.support import stop_feed

pytestmark = pytest.mark.anyio

ENDED = {"type": "session_ended",
         "reason": "Session terminée : reconnectez-vous pour suivre les appels"}


async def test_the_sign_in_screen_replaces_the_residents_file() -> None:
    app = canned_app(SNAPSHOT, RING, ENDED)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        assert not any(isinstance(screen, DeskScreen) for screen in app.screen_stack)

        def shown_text() -> str:  # said after the screen's first refresh
            return str(app.screen.query_one("#message").render())

        await wait_for(pilot, lambda: "Session terminée" in shown_text())
        shown = shown_text()
        assert "Session terminée : reconnectez-vous" in shown
        assert "Durand" not in shown and "HORS LIGNE" not in shown
        assert app.client.token is None
        await stop_feed(app)


async def test_the_key_bar_fits_in_80_columns() -> None:
    """Outside test after issue 20: the bar was cut after « f8 Lier le numé »."""
    from textual.widgets._footer import FooterKey

    app = canned_app(SNAPSHOT)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        assert {key.key for key in keys} >= {"f3", "f4", "f5", "f6", "f8", "ctrl+q", "f10"}
        assert all(key.region.right <= 80 and key.region.width > 0 for key in keys), [
            (key.key, key.region) for key in keys]
        await stop_feed(app)


async def test_quitting_closes_the_live_feed_first() -> None:
    """Quitting (ctrl+q) closes the live feed, its socket with it, before the app exits
    (a guard: Textual's own teardown also cancels the worker, later)."""
    import asyncio
    from collections.abc import AsyncGenerator
    from typing import Any

    closed: list[bool] = []

    async def feed(server: str, token: str, extension: str | None) -> AsyncGenerator[
            dict[str, Any], None]:
        try:
            yield SNAPSHOT
            await asyncio.Event().wait()
        finally:
            closed.append(True)  # where the real feed closes its socket

    app = canned_app()
    app.feed = feed
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.online)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert closed == [True]


async def test_keys_are_named_as_on_the_keyboard_and_hints_are_whole_at_80x24() -> None:
    """Issue 19 leftovers, point 6: « f3 » in the bar, and the search hint cut."""
    from textual.widgets import Input
    from textual.widgets._footer import FooterKey

    from tests.phone_desk.canned import UNKNOWN_RING

    app = canned_app(SNAPSHOT, UNKNOWN_RING)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))
        await pilot.pause()
        shown = {key.key: key.key_display for key in app.screen.query(FooterKey)}
        assert shown["f3"] == "F3" and shown["f10"] == "F10" and shown["ctrl+q"] == "Ctrl+Q"
        search, birth = app.screen.query_one("#search", Input), app.screen.query_one(
            "#birth", Input)
        assert len(birth.placeholder) <= birth.content_size.width
        for hint in (SEARCH_HINT, HEARD_HINT):
            assert len(hint) <= search.content_size.width, (hint, search.content_size)
        await stop_feed(app)
