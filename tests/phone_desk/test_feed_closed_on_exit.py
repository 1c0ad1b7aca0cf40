"""Every way out of the desk — `exit()`, or a test that just ends — closes the live feed
while the app's loop still runs (`PhoneDeskApp._on_exit_app` and `_shutdown`). Textual's
teardown would cancel the feed's worker too, but only once the loop has stopped: too late
to close the socket cleanly. So these tests check *when* it closes, which the teardown
alone fails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from phone_desk.app import PhoneDeskApp
from tests.counter_client.support import wait_for
from tests.phone_desk.canned import SNAPSHOT, canned_app

pytestmark = pytest.mark.anyio


def _watched_app(seen: list[str]) -> PhoneDeskApp:
    """A desk whose feed notes whether the app's loop still ran when it was closed, and
    whose `stop_feed` notes that it was awaited."""
    app = canned_app()

    async def feed(server: str, token: str, extension: str | None) -> AsyncGenerator[
            dict[str, Any], None]:
        try:
            yield SNAPSHOT
            await asyncio.Event().wait()
        finally:  # where the real feed closes its socket
            seen.append("closed, loop running" if app._running else "closed by the teardown")

    stop_feed = app.stop_feed

    async def watched_stop_feed() -> None:
        seen.append("stop_feed awaited")
        await stop_feed()

    app.feed = feed
    app.stop_feed = watched_stop_feed  # type: ignore[method-assign]
    return app


@pytest.mark.parametrize("way_out", ["exit", "end of the test"])
async def test_the_feed_is_closed_before_the_app_stops(way_out: str) -> None:
    seen: list[str] = []
    app = _watched_app(seen)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.online)
        if way_out == "exit":
            app.exit()
            await pilot.pause()
    assert seen[:2] == ["stop_feed awaited", "closed, loop running"], seen
