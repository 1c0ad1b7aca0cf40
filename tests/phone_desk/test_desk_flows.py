"""Desk flows against a real server: a shared family number, call-backs, a colleague who
answers first."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from textual.widgets import Select

from crm_core.cases.models import Service
from crm_core.client.telephony import PhoneClient
from crm_core.client.tui.resident_card import ResidentCard
from phone_desk.app import PhoneDeskApp, make_app
from phone_desk.config import DeskSettings
from phone_desk.screens.log_call import LogCallScreen
from phone_desk.widgets.call_banner import CallBanner
from phone_desk.widgets.day_lists import CallbacksTable, CallsTable
from phone_desk.widgets.search_results import SearchResults
from tests.counter_client.support import api_client, create_resident, wait_for
from tests.phone_desk.support import open_callback_form, stop_feed
from tests.support.live_server import LiveServer
from tests.support.telephony import give_extension, post_event

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _pbx(pbx_secrets: None) -> None:
    return None


def _desk(server: LiveServer) -> PhoneDeskApp:
    client = PhoneClient(server.url)
    client.sign_in("telephone", "secret-pass")
    return make_app(DeskSettings(server_url=server.url), client)


async def _event(server: LiveServer, event: str, call_id: str, **fields: Any) -> None:
    await asyncio.to_thread(post_event, server.url, event, call_id, **fields)


async def test_a_shared_number_lists_the_family(
    live_server: LiveServer, cleanup: contextlib.ExitStack
) -> None:
    give_extension(live_server, "telephone", "201")
    counter = cleanup.enter_context(api_client(live_server))
    anne = create_resident(counter, given_name="Anne", phones=["02 99 00 11 22"], emails=[])
    create_resident(counter, given_name="Paul", phones=["02 99 00 11 22"], emails=[])
    app = _desk(live_server)
    cleanup.enter_context(app.client)
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_for(pilot, lambda: app.online)
        await _event(live_server, "newCall", "fam-1", from_="0299001122", user=["201"])
        results = app.screen.query_one(SearchResults)
        await wait_for(pilot, lambda: results.row_count == 2)
        await wait_for(pilot, lambda: app.focused is results)  # focus moves on the next idle
        keys = [results.coordinate_to_cell_key((row, 0)).row_key.value  # type: ignore[arg-type]
                for row in range(2)]
        await pilot.press(*(["down"] if keys[1] == anne["id"] else []), "enter")
        card = app.screen.query_one(ResidentCard)
        await wait_for(pilot, lambda: card.summary is not None)
        assert card.summary is not None
        assert card.summary["resident"]["given_name"] == "Anne"


async def test_call_backs_from_the_desk(
    live_server: LiveServer, cleanup: contextlib.ExitStack
) -> None:
    give_extension(live_server, "telephone", "201")
    app = _desk(live_server)
    cleanup.enter_context(app.client)
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_for(pilot, lambda: app.online)
        await open_callback_form(pilot, live_server, "cb-1")
        await pilot.press(*"+1", "enter", *"Rappeler pour l'acte", "enter")
        table = app.screen.query_one(CallbacksTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert table.callbacks[0]["phone"] == "+33612345678"
        await pilot.click("#callbacks")
        await pilot.press("f6")
        await wait_for(pilot, lambda: table.row_count == 0)
        calls = app.screen.query_one(CallsTable)
        await wait_for(pilot, lambda: calls.row_count == 1)
    done = app.client.callbacks()
    assert done == []


async def test_a_colleague_answers_first(
    live_server: LiveServer, cleanup: contextlib.ExitStack
) -> None:
    give_extension(live_server, "telephone", "201")
    app = _desk(live_server)
    cleanup.enter_context(app.client)
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_for(pilot, lambda: app.online)
        await _event(live_server, "newCall", "grp-1", from_="anonymous", user=["201", "202"])
        banner = app.screen.query_one(CallBanner)
        await wait_for(pilot, lambda: banner.call is not None)
        assert "Numéro masqué" in str(banner.render())
        await _event(live_server, "answer", "grp-1", answeringNumber="202")
        await wait_for(pilot, lambda: banner.call is None)
        await stop_feed(app)


async def test_the_call_form_offers_the_services_of_the_moment(
    live_server: LiveServer, cleanup: contextlib.ExitStack
) -> None:
    """A service added during the day is offered without restarting the desk (issue 19
    leftovers, point 5): the list is fetched again each time the form opens."""
    give_extension(live_server, "telephone", "201")
    with live_server.session() as session:
        session.add(Service(code="etat-civil", label="État civil", announced_delay_days=10))
        session.commit()
    counter = cleanup.enter_context(api_client(live_server))
    create_resident(counter, phones=["02 99 00 11 33"], emails=[])
    app = _desk(live_server)
    cleanup.enter_context(app.client)
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_for(pilot, lambda: app.online and bool(app.services))
        with live_server.session() as session:  # added after the desk has started
            session.add(Service(code="urbanisme", label="Urbanisme", announced_delay_days=30))
            session.commit()
        await _event(live_server, "newCall", "svc-1", from_="0299001133", user=["201"])
        card = app.screen.query_one(ResidentCard)
        await wait_for(pilot, lambda: card.summary is not None)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, LogCallScreen))
        form = app.screen
        await wait_for(pilot, lambda: "Urbanisme" in [
            str(prompt) for prompt, _ in form.query_one("#service", Select)._options])
        assert sorted(s["code"] for s in app.services) == ["etat-civil", "urbanisme"]
        await stop_feed(app)
