"""Helpers for the desk's Pilot tests against a real server."""

from __future__ import annotations

import contextlib

from textual.worker import WorkerCancelled, WorkerFailed

from phone_desk.app import PhoneDeskApp


async def stop_feed(app: PhoneDeskApp) -> None:
    """End the live feed while the app still runs, and wait for every worker: its socket
    then closes with the app's loop alive, instead of being dropped half-way as the test
    leaves (an unclosed socket, reported at teardown)."""
    app.workers.cancel_group(app, "feed")
    for worker in list(app.workers):
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await worker.wait()
