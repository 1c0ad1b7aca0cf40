"""F10 on the phone desk signs out, as at the counter (phone_desk/app.py; issue 19: only
Ctrl+Q existed): the session closes on the server, the sign-in screen comes back; items
kept for the server make the first F10 warn; offline, the agent is told the truth."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crm_core.client.errors import ServerUnreachable
from crm_core.client.telephony import PhoneClient
from crm_core.client.tui.message_line import MessageLine
from phone_desk.app import PhoneDeskApp, make_app
from phone_desk.config import DeskSettings
from phone_desk.journal import DeskJournal, ItemKind
from phone_desk.screens.desk import DeskScreen
from phone_desk.screens.sign_in import SignInScreen
from tests.counter_client.support import wait_for
from tests.support.live_server import LiveServer
from tests.support.telephony import give_extension

pytestmark = pytest.mark.anyio


def _desk(live_server: LiveServer, journal: DeskJournal) -> PhoneDeskApp:
    give_extension(live_server, "telephone", "201")
    client = PhoneClient(live_server.url)
    client.sign_in("telephone", "secret-pass")
    # A long interval: the kept item below stays kept while the test looks.
    return make_app(DeskSettings(server_url=live_server.url, sync_interval_seconds=3600),
                    client, journal=journal)


def _said(app: PhoneDeskApp) -> str:
    return str(app.screen.query_one(MessageLine).render())


async def test_f10_signs_out_and_closes_the_session(
    pbx_secrets: None, live_server: LiveServer, tmp_path: Path
) -> None:
    with contextlib.closing(DeskJournal(tmp_path / "journal.sqlite3")) as journal:
        app = _desk(live_server, journal)
        token = app.client.token
        with contextlib.closing(app.client):
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen)
                               and app.online)
                await pilot.press("f10")
                await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
                assert app.client.token is None and app.username == ""
                await app.stop_feed()
    with (contextlib.closing(PhoneClient(live_server.url, token=token)) as old,
          pytest.raises(Exception, match=r"(?i)session|connect")):
        old.me()  # closed on the server


async def test_with_items_kept_the_first_f10_warns(
    pbx_secrets: None, live_server: LiveServer, tmp_path: Path
) -> None:
    with contextlib.closing(DeskJournal(tmp_path / "journal.sqlite3")) as journal:
        app = _desk(live_server, journal)
        with contextlib.closing(app.client):
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen)
                               and app.username == "telephone")
                await app.stop_feed()
                app.keeper.sync_now = lambda: None  # type: ignore[method-assign]
                journal.add(ItemKind.CALLBACK, {
                    "phone": "0612345678", "reason": "Acte", "resident_id": None,
                    "call": None, "due_at": (datetime.now(UTC) + timedelta(hours=2)
                                             ).isoformat()},
                    agent="telephone", agent_name="Telephone")
                await pilot.press("f10")
                await pilot.pause()
                assert isinstance(app.screen, DeskScreen)
                assert "F10 de nouveau" in _said(app)
                await pilot.press("f10")
                await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        assert journal.count(agent="telephone") == 1  # kept for the next sign-in


async def test_offline_f10_says_the_session_could_not_be_closed(
    pbx_secrets: None, live_server: LiveServer, tmp_path: Path
) -> None:
    with contextlib.closing(DeskJournal(tmp_path / "journal.sqlite3")) as journal:
        app = _desk(live_server, journal)

        def away() -> None:
            raise ServerUnreachable("Serveur Relais injoignable : travail hors ligne")

        with contextlib.closing(app.client):
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen)
                               and app.username == "telephone")
                app.client.sign_out = away  # type: ignore[method-assign]
                await pilot.press("f10")
                await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen)
                               and "expirera" in _said(app))
                assert "n'a pas pu y être fermée" in _said(app)
                assert app.client.token is None


async def test_the_offline_top_line_fits_80_columns() -> None:
    # issue 19: « ✗ HORS LIGNE : les appels n'arrivent » was cut off at 80 columns.
    from phone_desk.screens.desk import DeskLine
    from tests.phone_desk import canned

    app = canned.canned_app(canned.SNAPSHOT, {"type": "offline", "reason": "Coupure"})
    with contextlib.closing(app.client):
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: bool(app.screen.query(DeskLine)) and not app.online
                           and app.last_message is not None
                           and app.last_message.get("type") == "offline")
            app.waiting = 3
            await pilot.pause()
            line = str(app.screen.query_one(DeskLine).render())
            assert "✗ HORS LIGNE : appels non reçus  3 en attente (F7)" in line
            assert len(line.rstrip()) <= 78  # the padding of the line takes 2
            await app.stop_feed()
