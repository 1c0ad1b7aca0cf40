"""SVG snapshots of the desk's key screens (pytest-textual-snapshot), on canned data."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from crm_core.client.tui.resident_card import ResidentCard
from phone_desk.screens.callback import CallbackScreen
from phone_desk.screens.log_call import LogCallScreen
from phone_desk.widgets.day_lists import CallbacksTable, CallsTable
from tests.counter_client.support import wait_for
from tests.phone_desk.canned import NO_CALLS_SUMMARY, RING, SNAPSHOT, UNKNOWN_RING, canned_app

SIZE = (140, 42)


def _answers_in(app: Any) -> bool:
    """Every server call answered and shown: only the live feed (open for good) and the
    journal's round (nothing to send here) may still run."""
    return all(worker.is_finished for worker in app.workers
               if worker.group not in ("feed", "journal"))


async def _settled(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query(CallbacksTable))
                   and app.screen.query_one(CallbacksTable).row_count > 0
                   and app.screen.query_one(CallsTable).row_count > 0
                   and _answers_in(app))


async def _redraw(pilot: Pilot[Any]) -> None:
    """Wait for the state the snapshot shows, not for time: every answer in (a list or a
    file coming back after the picture made it differ under load), the tables' idle pass
    done (their columns measured, then drawn again: screens/desk.py's tables), no
    animation or timer pending, and no blinking cursor."""
    app = pilot.app
    for screen in app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False  # a blinking cursor makes two runs differ
    await wait_for(pilot, lambda: _answers_in(app))
    await wait_for(pilot, lambda: not any(
        table._require_update_dimensions or table._updated_cells  # its idle pass to come
        for screen in app.screen_stack for table in screen.query(DataTable)))
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_known_caller_snapshot(snap_compare: Any) -> None:
    async def ringing(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await wait_for(pilot, lambda: pilot.app.screen.query_one(ResidentCard).summary
                       is not None)
        await _redraw(pilot)

    assert snap_compare(canned_app(SNAPSHOT, RING), terminal_size=SIZE, run_before=ringing)


def test_unknown_number_snapshot(snap_compare: Any) -> None:
    async def typed(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await wait_for(pilot, lambda: getattr(pilot.app.focused, "id", None) == "search")
        await pilot.press(*"camile durant")
        await _redraw(pilot)

    assert snap_compare(canned_app(SNAPSHOT, UNKNOWN_RING), terminal_size=SIZE,
                        run_before=typed)


def test_log_call_form_snapshot(snap_compare: Any) -> None:
    async def form(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await wait_for(pilot, lambda: pilot.app.screen.query_one(ResidentCard).summary
                       is not None)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LogCallScreen)
                       and pilot.app.focused is not None
                       and pilot.app.focused.screen is pilot.app.screen)
        await pilot.press(*"Demande de suivi")
        await _redraw(pilot)

    assert snap_compare(canned_app(SNAPSHOT, RING), terminal_size=SIZE, run_before=form)


def test_call_back_form_at_80x24_snapshot(snap_compare: Any) -> None:
    """The whole form at the smallest terminal: the warning, the box, the message that says
    why nothing was planned (the box left unticked), and both buttons."""
    async def refused(pilot: Any) -> None:
        await _settled(pilot)
        await wait_for(pilot, lambda: pilot.app.screen.query_one(ResidentCard).summary
                       is not None)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CallbackScreen)
                       and pilot.app.focused is not None)
        await pilot.press("enter", *"Confirmer le rendez-vous", "enter")
        await _redraw(pilot)

    assert snap_compare(canned_app(SNAPSHOT, RING, summary=NO_CALLS_SUMMARY),
                        terminal_size=(80, 24), run_before=refused)
