"""The collector waits during a scan and always comes back (counter_client.gc_pause)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from textual.app import App

from counter_client import gc_pause
from counter_client.gc_pause import GcPause

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    yield
    gc.enable()
    gc.unfreeze()


async def test_a_hold_stops_collections_until_released() -> None:
    app: App[None] = App()
    async with app.run_test():
        pause = GcPause(app)
        pause.hold()
        assert not gc.isenabled() and pause.holding
        pause.hold()  # a second scan during the first: still one hold
        pause.release()
        assert gc.isenabled() and not pause.holding
        pause.release()  # nothing held: nothing happens
        assert gc.isenabled()


async def test_a_hold_ends_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_pause, "MAX_HOLD_SECONDS", 0.01)
    app: App[None] = App()
    async with app.run_test() as pilot:
        pause = GcPause(app)
        pause.hold()
        while pause.holding:
            await pilot.pause(0.01)
        assert gc.isenabled()


async def test_a_collector_turned_off_by_someone_else_stays_off() -> None:
    app: App[None] = App()
    async with app.run_test():
        pause = GcPause(app)
        gc.disable()
        pause.hold()
        assert not pause.holding
        pause.release()
        assert not gc.isenabled()


async def test_stop_releases_and_unfreezes() -> None:
    app: App[None] = App()
    async with app.run_test():
        pause = GcPause(app)
        pause.freeze_startup()
        assert gc.get_freeze_count() > 0
        pause.hold()
        pause.stop()
        assert gc.isenabled() and gc.get_freeze_count() == 0


async def test_release_soon_waits_then_releases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_pause, "RELEASE_DELAY_SECONDS", 0.01)
    app: App[None] = App()
    async with app.run_test() as pilot:
        pause = GcPause(app)
        pause.release_soon()  # nothing held: nothing to release
        assert gc.isenabled() and not pause.holding
        pause.hold()
        pause.release_soon()
        assert pause.holding and not gc.isenabled()
        while pause.holding:
            await pilot.pause(0.01)
        assert gc.isenabled()
