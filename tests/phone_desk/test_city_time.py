"""The desk shows the city's time, not Paris's (issue 21, point 3): a commune in Guyane
(`RELAIS_TIMEZONE=America/Cayenne`) at 02:30 in Paris, 22:30 the day before in Cayenne."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import OptionList

from crm_core.client.telephony import PhoneClient
from phone_desk.app import make_app
from phone_desk.config import DeskSettings
from phone_desk.journal import DeskJournal, ItemKind, ItemState
from phone_desk.screens.waiting import WaitingScreen
from phone_desk.widgets.call_banner import CallBanner
from phone_desk.widgets.day_lists import CallbacksTable
from tests.counter_client.support import wait_for
from tests.phone_desk.support import open_callback_form
from tests.support.clock import PARIS, starting_at
from tests.support.live_server import LiveServer
from tests.support.telephony import give_extension

pytestmark = pytest.mark.anyio
CAYENNE = ZoneInfo("America/Cayenne")
# 02:30 on 3 December in Paris is 22:30 on 2 December in Cayenne.
NIGHT_IN_PARIS = datetime(2026, 12, 3, 2, 30, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _guyane(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch,
            pbx_secrets: None) -> None:
    monkeypatch.setenv("RELAIS_TIMEZONE", "America/Cayenne")
    live_server.reread_settings()


async def test_the_desk_shows_cayenne_s_date_and_times(
    live_server: LiveServer, tmp_path: Path
) -> None:
    give_extension(live_server, "telephone", "201")
    with (starting_at(NIGHT_IN_PARIS),
          contextlib.closing(DeskJournal(tmp_path / "journal.sqlite3")) as journal):
        # Kept offline an hour ago for an hour ago: the server refuses it, it waits (F7).
        journal.add(ItemKind.CALLBACK, {
            "phone": "0612345678", "due_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "reason": "Acte de naissance", "resident_id": None, "call": None,
            "requested_by_resident": False,
        }, agent="telephone", agent_name="Telephone")
        client = PhoneClient(live_server.url)
        client.sign_in("telephone", "secret-pass")
        app = make_app(DeskSettings(server_url=live_server.url, sync_interval_seconds=0.2),
                       client, journal=journal)
        with contextlib.closing(app.client):
            async with app.run_test(size=(140, 42)) as pilot:
                await wait_for(pilot, lambda: app.online)
                assert app.today().isoformat() == "2026-12-02"
                await wait_for(pilot, lambda: journal.items()[0].state is ItemState.REJECTED)
                await pilot.press("f7")
                await wait_for(pilot, lambda: isinstance(app.screen, WaitingScreen))
                option = app.screen.query_one(OptionList).get_option_at_index(0)
                # Kept at 22:30 in Cayenne (it said « 03/12 02:30 »).
                assert re.match(r"02/12 22:3\d  Rappel", str(option.prompt)), option.prompt
                await pilot.press("escape")
                await wait_for(pilot, lambda: not isinstance(app.screen, WaitingScreen))

                desk = app.screen
                await open_callback_form(pilot, live_server, "tz-1")
                assert re.search(r"depuis 22:3\d", str(desk.query_one(CallBanner).render()))
                # « 23h » is tonight in Cayenne, not 23:00 on the 3rd in Paris.
                await pilot.press(*"23h", "enter", *"Rappeler pour l'acte", "enter")
                table = app.screen.query_one(CallbacksTable)
                await wait_for(pilot, lambda: table.row_count == 1)
                due = datetime.fromisoformat(str(table.callbacks[0]["due_at"]))
                assert due == datetime(2026, 12, 2, 23, 0, tzinfo=CAYENNE)
                assert str(table.get_row_at(0)[0]).endswith("02/12/2026 23:00")
                await app.stop_feed()
