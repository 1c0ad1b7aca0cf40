"""Helpers for the desk's Pilot tests against a real server."""

from __future__ import annotations

import asyncio
import contextlib

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from phone_desk.app import PhoneDeskApp
from tests.counter_client.support import wait_for
from tests.support.live_server import LiveServer
from tests.support.telephony import post_event


async def stop_feed(app: PhoneDeskApp) -> None:
    """End the live feed while the app still runs, and wait for every worker: its socket
    then closes with the app's loop alive, instead of being dropped half-way as the test
    leaves (an unclosed socket, reported at teardown)."""
    app.workers.cancel_group(app, "feed")
    for worker in list(app.workers):
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await worker.wait()


async def open_callback_form(pilot: Pilot[None], server: LiveServer, call_id: str,
                             number: str = "06 12 34 56 78") -> None:
    """A call rings on extension 201 (`give_extension` first), then F5 opens its call-back
    form, ready to type in."""
    from phone_desk.screens.callback import CallbackScreen
    from phone_desk.widgets.call_banner import CallBanner

    app = pilot.app
    await asyncio.to_thread(post_event, server.url, "newCall", call_id, from_=number,
                            user=["201"])
    await wait_for(pilot, lambda: app.screen.query_one(CallBanner).call is not None)
    await pilot.press("f5")
    await wait_for(pilot, lambda: isinstance(app.screen, CallbackScreen))
    await pilot.pause(0.1)
