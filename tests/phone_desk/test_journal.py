"""The desk's offline journal (issue 19 leftovers, point 1): a call-back or a call log
saved while the server is away is kept on the desk, across a restart of the app, and sent
once, in the session of the agent who made it."""

from __future__ import annotations

import asyncio
import contextlib
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from crm_core.client.telephony import PhoneClient
from crm_core.client.tui.resident_card import ResidentCard
from crm_core.client.types import Callback
from crm_core.database.engine import make_engine
from phone_desk.app import PhoneDeskApp, make_app
from phone_desk.config import DeskSettings
from phone_desk.journal import DeskJournal, ItemKind, ItemState
from phone_desk.screens.callback import CallbackScreen
from phone_desk.screens.log_call import LogCallScreen
from phone_desk.screens.waiting import WaitingScreen
from phone_desk.widgets.call_banner import CallBanner
from tests.counter_client.support import type_text, wait_for
from tests.phone_desk import canned
from tests.support.live_server import LiveServer, free_port, serve
from tests.support.telephony import SECRETS_ENV, give_extension, post_event

pytestmark = pytest.mark.anyio


@pytest.fixture
def server_engine(agents_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", SECRETS_ENV)
    engine = make_engine(agents_database_url)
    yield engine
    engine.dispose()


def _desk(url: str, token: str, journal: DeskJournal) -> PhoneDeskApp:
    client = PhoneClient(url, token=token)
    return make_app(DeskSettings(server_url=url, sync_interval_seconds=0.2), client,
                    journal=journal)


def _callbacks(url: str, token: str) -> list[Callback]:
    with contextlib.closing(PhoneClient(url, token=token)) as client:
        return client.callbacks()


async def test_a_call_back_saved_offline_survives_a_restart_and_is_sent_once(
    server_engine: Engine, tmp_path: Path,
) -> None:
    port = free_port()
    path = tmp_path / "phone" / "journal.sqlite3"
    first_run = serve(server_engine, port=port)
    server: LiveServer = await asyncio.to_thread(first_run.__enter__)
    give_extension(server, "telephone", "201")
    with contextlib.closing(PhoneClient(server.url)) as signer:
        token = str(signer.sign_in("telephone", "secret-pass")["access_token"])

    journal = DeskJournal(path)
    app = _desk(server.url, token, journal)
    with contextlib.closing(app.client):
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.online)
            await asyncio.to_thread(post_event, server.url, "newCall", "off-1",
                                    from_="06 12 34 56 78", user=["201"])
            await wait_for(pilot, lambda: app.screen.query_one(CallBanner).call is not None)
            await asyncio.to_thread(first_run.__exit__, None, None, None)  # the server goes
            await wait_for(pilot, lambda: not app.online)
            await pilot.press("f5")
            await wait_for(pilot, lambda: isinstance(app.screen, CallbackScreen))
            await pilot.pause(0.1)
            await type_text(pilot, "+1")
            await pilot.press("enter")
            await type_text(pilot, "Rappeler pour l'acte")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.waiting == 1)
            assert "gardé sur ce poste" in str(app.screen.query_one("#message").render())
            await pilot.press("f7")
            await wait_for(pilot, lambda: isinstance(app.screen, WaitingScreen))
            await pilot.press("escape")
            await app.stop_feed()
    journal.close()
    # Private: the journal holds what residents asked for.
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    second_run = serve(server_engine, port=port)
    await asyncio.to_thread(second_run.__enter__)
    try:
        journal = DeskJournal(path)  # the app starts again on the same desk
        assert journal.count(agent="telephone") == 1
        app = _desk(server.url, token, journal)
        with contextlib.closing(app.client):
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.username == "telephone")
                await wait_for(pilot, lambda: journal.count(agent="telephone") == 0)
                app.keeper.sync_now()  # one more round sends nothing again
                await pilot.pause(0.5)
                await app.stop_feed()
        callbacks = await asyncio.to_thread(_callbacks, server.url, token)
        assert [c["reason"] for c in callbacks] == ["Rappeler pour l'acte"]
        journal.close()
    finally:
        await asyncio.to_thread(second_run.__exit__, None, None, None)


async def test_a_call_back_already_on_the_server_is_not_sent_again(
    live_server: LiveServer, tmp_path: Path,
) -> None:
    """The answer of an earlier try was lost: the call-back is found there, not doubled."""
    due = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    with contextlib.closing(PhoneClient(live_server.url)) as client, contextlib.closing(
            DeskJournal(tmp_path / "journal.sqlite3")) as journal:
        client.sign_in("telephone", "secret-pass")
        payload = {"phone": "0612345678", "due_at": due.isoformat(), "reason": "Acte",
                   "resident_id": None, "call": None, "requested_by_resident": False}
        journal.add(ItemKind.CALLBACK, payload, agent="telephone", agent_name="Telephone")
        client.create_callback(phone="0612345678", due_at=due, reason="Acte")
        journal._tried(journal.items()[0].id)  # the lost try
        report = journal.sync(client, agent="telephone")
        assert len(report.sent) == 1
        assert len(client.callbacks()) == 1


async def test_items_wait_for_the_agent_who_made_them(
    live_server: LiveServer, tmp_path: Path,
) -> None:
    due = datetime.now(UTC) + timedelta(hours=2)
    with contextlib.closing(PhoneClient(live_server.url)) as client, contextlib.closing(
            DeskJournal(tmp_path / "journal.sqlite3")) as journal:
        client.sign_in("superviseur", "secret-pass")
        journal.add(ItemKind.CALLBACK, {"phone": "0612345678", "due_at": due.isoformat(),
                                        "reason": "Acte"},
                    agent="telephone", agent_name="Telephone")
        report = journal.sync(client, agent="superviseur")
        assert report.sent == [] and report.rejected == []
        assert [i.state for i in journal.items()] == [ItemState.PENDING]
        assert journal.waiting_for_others("superviseur") == [("Telephone", 1)]
        assert client.callbacks() == []


async def test_a_call_log_saved_offline_is_kept_and_quitting_warns_first() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":  # the server went away as the agent saved
            raise httpx.ConnectError("connection refused", request=request)
        return canned._answer(request)

    client = PhoneClient("http://relais.test", token="canned",
                         transport=httpx.MockTransport(answer))
    app = make_app(DeskSettings(extension="201"), client,
                   feed=canned.scripted_feed(canned.SNAPSHOT, canned.RING),
                   today=lambda: date(2026, 11, 30))
    with contextlib.closing(client):
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: bool(app.screen.query(ResidentCard))
                           and app.screen.query_one(ResidentCard).summary is not None)
            desk = app.screen
            await pilot.press("f4")
            await wait_for(pilot, lambda: isinstance(app.screen, LogCallScreen)
                           and app.focused is not None and app.focused.screen is app.screen)
            await type_text(pilot, "Horaires de la mairie")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.waiting == 1)
            assert "gardé sur ce poste" in str(desk.query_one("#message").render())
            [item] = app.journal.items(agent="telephone")
            assert item.kind is ItemKind.CALL_LOG
            assert item.payload["call"] == canned.CALL["id"]
            assert item.payload["reason"] == "Horaires de la mairie"
            await pilot.press("ctrl+q")  # one item waits: the desk warns, stays open
            await pilot.pause()
            assert app.is_running
            assert "Ctrl+Q de nouveau" in str(desk.query_one("#message").render())
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not app.is_running
