"""Helpers for the counter app tests: a real server with data, the app built on it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from badge.card import CardReader
from badge.printing import PrintQueue
from counter_client.app import CounterApp, make_app
from counter_client.config import CounterSettings
from crm_core.cases.models import Service
from crm_core.client import RelaisClient
from tests.support.live_server import LiveServer

SERVICES = (("etat-civil", "État civil", 10), ("urbanisme", "Urbanisme", 30))


def seed_services(server: LiveServer) -> None:
    with server.session() as session:
        for code, label, delay in SERVICES:
            session.add(Service(code=code, label=label, announced_delay_days=delay))
        session.commit()


def api_client(server: LiveServer, username: str = "accueil") -> RelaisClient:
    client = RelaisClient(server.url)
    client.sign_in(username, "secret-pass")
    return client


def create_resident(client: RelaisClient, **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "given_name": "Camille", "family_name": "Durand", "birth_date": "1984-03-12",
        "phones": [{"number": "06 12 34 56 78", "contact_allowed": True}],
        "emails": ["camille.durand@example.fr"],
    } | extra
    return dict(client.create_resident(**fields))


def counter_app(
    server_url: str, data_dir: Path, *, card_reader: CardReader | None = None,
    print_queue: PrintQueue | None = None, today: Callable[[], date] | None = None,
    **settings_overrides: Any,
) -> CounterApp:
    fast: dict[str, Any] = {"sync_interval_seconds": 0.3, "search_delay_seconds": 0.05,
                            "health_interval_seconds": 0.3, "print_retry_seconds": 0.3}
    settings = CounterSettings(
        server_url=server_url, data_dir=data_dir, **(fast | settings_overrides))
    extra: dict[str, Any] = {"today": today} if today else {}
    return make_app(settings, RelaisClient(server_url), card_reader=card_reader,
                    print_queue=print_queue, **extra)


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], *,
                   timeout: float = 10.0) -> None:
    """Let workers run until `condition()` holds and the current screen is mounted (fails
    the test on timeout): a screen is current a moment before its widgets are composed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (condition() and pilot.app.screen.is_mounted):
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


async def sign_in(pilot: Pilot[Any], username: str = "accueil",
                  password: str = "secret-pass") -> None:
    from counter_client.screens.home import HomeScreen

    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#username")))
    await pilot.click("#username")
    await pilot.press(*username, "tab", *password, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen)
                   and bool(getattr(app, "services", None)))


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


@contextlib.asynccontextmanager
async def running(app: CounterApp, size: tuple[int, int] = (80, 24)) -> AsyncIterator[Pilot[None]]:
    """`app.run_test`, then wait for its workers and close its client and journal, so that
    no request is still in flight (or socket left open) when the test ends."""
    try:
        async with app.run_test(size=size) as pilot:
            yield pilot
            app.workers.cancel_group(app, "card")  # the reader loop ends at its next poll
            for worker in list(app.workers):
                with contextlib.suppress(WorkerCancelled, WorkerFailed):
                    await worker.wait()
    finally:
        app.client.close()
        app.journal.close()


async def type_burst(pilot: Pilot[Any], *keys: str) -> None:
    """Queue every key at once, as a scanner or a password manager types them: the app
    handles the burst after it has all arrived (`pilot.press` waits after each key)."""
    from textual import events

    app = pilot.app
    for key in keys:
        character = {"tab": "\t", "enter": "\r", "space": " "}.get(
            key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))
    await pilot.pause()
