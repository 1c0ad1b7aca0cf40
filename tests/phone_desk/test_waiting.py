"""F7 on the phone desk (phone_desk/screens/waiting.py; issue 19): a kept call-back the
server refused later can be fixed in its form and sent, or set aside after a confirmation;
the toast gives the server's reason; the screen never says « all sent » while another
agent's items wait."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Label, Select

from crm_core.client.telephony import PhoneClient
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.types import Callback
from phone_desk.app import PhoneDeskApp, make_app
from phone_desk.config import DeskSettings
from phone_desk.journal import DeskJournal, ItemKind, ItemState
from phone_desk.screens.callback import CallbackScreen
from phone_desk.screens.log_call import NO_CASE, LogCallScreen
from phone_desk.screens.waiting import WaitingScreen
from tests.counter_client.support import api_client, create_resident, type_text, wait_for
from tests.support.live_server import LiveServer
from tests.support.telephony import give_extension, post_event

pytestmark = pytest.mark.anyio


def _late_callback(journal: DeskJournal, *, agent: str = "telephone") -> None:
    """A call-back kept offline whose time passed before the server came back."""
    due = datetime.now(UTC) - timedelta(hours=1)
    journal.add(ItemKind.CALLBACK, {
        "phone": "0612345678", "due_at": due.isoformat(), "reason": "Acte de naissance",
        "resident_id": None, "call": None, "requested_by_resident": False,
    }, agent=agent, agent_name="Loïc Le Goff" if agent != "telephone" else "Telephone")


def _desk(live_server: LiveServer, journal: DeskJournal) -> PhoneDeskApp:
    client = PhoneClient(live_server.url)
    client.sign_in("telephone", "secret-pass")
    return make_app(DeskSettings(server_url=live_server.url, sync_interval_seconds=0.2),
                    client, journal=journal)


def _callbacks(live_server: LiveServer) -> list[Callback]:
    with contextlib.closing(PhoneClient(live_server.url)) as client:
        client.sign_in("telephone", "secret-pass")
        return client.callbacks()


def _said(app: PhoneDeskApp) -> str:
    return str(app.screen.query_one(MessageLine).render())


async def test_a_refused_call_back_is_fixed_in_its_form_and_sent(
    live_server: LiveServer, tmp_path: Path
) -> None:
    with contextlib.closing(DeskJournal(tmp_path / "journal.sqlite3")) as journal:
        _late_callback(journal)
        app = _desk(live_server, journal)
        with contextlib.closing(app.client):
            async with app.run_test(size=(100, 30)) as pilot:
                await wait_for(pilot, lambda: journal.items()[0].state is ItemState.REJECTED)
                await wait_for(pilot, lambda: bool(list(app._notifications)))
                toast = " ".join(notice.message for notice in app._notifications)
                # It said « Refusé par le serveur : None (F7 pour voir) ».
                assert "None" not in toast and "passée" in toast
                await pilot.press("f7")
                await wait_for(pilot, lambda: isinstance(app.screen, WaitingScreen))
                await pilot.press("c")
                await wait_for(pilot, lambda: isinstance(app.screen, CallbackScreen)
                               and app.focused is not None)
                form = app.screen
                assert form.query_one("#reason", Input).value == "Acte de naissance"
                assert form.query_one("#phone", Input).value == "0612345678"
                assert "passée" in _said(app)
                form.query_one("#due", Input).value = ""
                form.query_one("#due", Input).focus()
                await type_text(pilot, "+2h")
                form.query_one("#reason", Input).focus()
                await pilot.press("enter")
                await wait_for(pilot, lambda: not isinstance(app.screen, CallbackScreen))
                await wait_for(pilot, lambda: journal.items() == [])  # set aside: replaced
                await app.stop_feed()
        assert [c["reason"] for c in _callbacks(live_server)] == ["Acte de naissance"]


async def test_a_refused_call_log_is_fixed_in_its_form_and_sent(
    pbx_secrets: None, live_server: LiveServer, tmp_path: Path
) -> None:
    # Outside look, issue 19: a refused call log could only be set aside (E), not fixed.
    give_extension(live_server, "telephone", "201")
    post_event(live_server.url, "newCall", "fix-1", from_="06 12 34 56 78", user=["201"])
    with contextlib.closing(api_client(live_server)) as api:
        resident = create_resident(api)
    with contextlib.closing(PhoneClient(live_server.url)) as phone:
        phone.sign_in("telephone", "secret-pass")
        (call,) = phone.calls()
    with contextlib.closing(DeskJournal(tmp_path / "journal.sqlite3")) as journal:
        journal.add(ItemKind.CALL_LOG, {
            "call": call["id"], "resident_id": resident["id"], "reason": "Acte de naissance",
            "outcome": "informed", "case_reference": "2020-XX-99999",  # no such request
        }, agent="telephone", agent_name="Telephone")
        app = _desk(live_server, journal)
        with contextlib.closing(app.client):
            async with app.run_test(size=(100, 30)) as pilot:
                await wait_for(pilot, lambda: journal.items()[0].state is ItemState.REJECTED)
                await pilot.press("f7")
                await wait_for(pilot, lambda: isinstance(app.screen, WaitingScreen))
                await pilot.press("c")
                await wait_for(pilot, lambda: isinstance(app.screen, LogCallScreen)
                               and app.focused is not None)
                form = app.screen
                assert form.query_one("#reason", Input).value == "Acte de naissance"
                assert form.query_one("#case", Select).value == "2020-XX-99999"
                assert "Refusé par le serveur" in _said(app)
                form.query_one("#case", Select).value = NO_CASE
                await pilot.press("ctrl+s")
                await wait_for(pilot, lambda: not isinstance(app.screen, LogCallScreen))
                await wait_for(pilot, lambda: journal.items() == [])  # replaced
                await wait_for(pilot, lambda: "Appel enregistré" in _said(app))
                await app.stop_feed()
        assert [i.state for i in journal.items(states=(ItemState.DISCARDED,))] == [
            ItemState.DISCARDED]


async def test_a_refused_item_is_set_aside_after_a_confirmation(
    live_server: LiveServer, tmp_path: Path
) -> None:
    with contextlib.closing(DeskJournal(tmp_path / "journal.sqlite3")) as journal:
        _late_callback(journal)
        app = _desk(live_server, journal)
        with contextlib.closing(app.client):
            async with app.run_test(size=(100, 30)) as pilot:
                await wait_for(pilot, lambda: journal.items()[0].state is ItemState.REJECTED)
                await pilot.press("f7")
                await wait_for(pilot, lambda: isinstance(app.screen, WaitingScreen))
                await pilot.press("e")
                await pilot.pause()
                assert "E de nouveau pour confirmer" in _said(app)
                assert journal.items()[0].state is ItemState.REJECTED  # nothing yet
                await pilot.press("e")
                await wait_for(pilot, lambda: journal.items() == [])
                assert "Écarté" in _said(app)
                await app.stop_feed()
        # Kept in the file for the record, never sent.
        assert [i.state for i in journal.items(states=(ItemState.DISCARDED,))] == [
            ItemState.DISCARDED]
        assert _callbacks(live_server) == []


async def test_another_agents_items_are_not_called_all_sent(
    live_server: LiveServer, tmp_path: Path
) -> None:
    with contextlib.closing(DeskJournal(tmp_path / "journal.sqlite3")) as journal:
        _late_callback(journal, agent="lleg")
        app = _desk(live_server, journal)
        with contextlib.closing(app.client):
            async with app.run_test(size=(100, 30)) as pilot:
                await wait_for(pilot, lambda: app.username == "telephone")
                await pilot.press("f7")
                await wait_for(pilot, lambda: isinstance(app.screen, WaitingScreen))
                shown = " ".join(str(label.render()) for label in app.screen.query(Label))
                assert "tout a été envoyé" not in shown
                assert "Rien en attente de votre part" in shown
                await app.stop_feed()


async def test_the_bottom_line_stops_saying_reconnecting_once_the_feed_is_back() -> None:
    # issue 19: « ⚠ Serveur injoignable : reconnexion… » stayed under « ● appels en direct ».
    from tests.phone_desk import canned

    offline = {"type": "offline", "reason": "Serveur injoignable"}
    app = canned.canned_app(canned.SNAPSHOT, offline, canned.SNAPSHOT)
    with contextlib.closing(app.client):
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.online and app.last_message == canned.SNAPSHOT
                           and app.last_message is not None)
            await pilot.pause(0.2)
            assert app.online
            assert "reconnexion" not in _said(app)
            assert "Connexion rétablie" in _said(app)
            await app.stop_feed()


async def test_each_new_try_to_reconnect_does_not_cover_what_the_agent_just_did() -> None:
    # A call-back kept offline said « gardé sur ce poste », and the feed's next try
    # replaced it with « reconnexion… » within seconds (seen as a flaky journal test).
    from phone_desk.screens.desk import DeskScreen
    from tests.phone_desk import canned

    offline = {"type": "offline", "reason": "Serveur injoignable"}
    app = canned.canned_app(canned.SNAPSHOT)
    with contextlib.closing(app.client):
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))
            screen = app.screen
            assert isinstance(screen, DeskScreen)
            screen.on_feed(offline)
            assert "reconnexion" in _said(app)
            screen.say("Rappel gardé sur ce poste : envoyé au retour du serveur.")
            screen.on_feed(offline)  # the next try, same reason
            await pilot.pause(0.1)
            assert "gardé sur ce poste" in _said(app)
            await app.stop_feed()
