"""Journeys 2 and 3 of MISSION.md, end to end: a real server on 127.0.0.1, the PBX's
signed events, the desk's real WebSocket feed, and the desk driven with the Pilot."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.coordinate import Coordinate
from textual.widgets import Input

from crm_core.client.telephony import PhoneClient
from crm_core.client.tui.resident_card import ResidentCard
from phone_desk.app import PhoneDeskApp, make_app
from phone_desk.config import DeskSettings
from phone_desk.screens.link_number import LinkNumberScreen
from phone_desk.screens.log_call import LogCallScreen
from phone_desk.widgets.call_banner import CallBanner
from phone_desk.widgets.search_results import SearchResults
from tests.counter_client.support import api_client, create_resident, seed_services, wait_for
from tests.support.live_server import LiveServer
from tests.support.telephony import give_extension, post_event

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("pbx_secrets")]


@pytest.fixture(autouse=True)
def _desk_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk's offline journal in this test's folder, never the machine's."""
    monkeypatch.setenv("RELAIS_PHONE_DATA_DIR", str(tmp_path / "phone"))


def _desk(server: LiveServer) -> PhoneDeskApp:
    client = PhoneClient(server.url)
    client.sign_in("telephone", "secret-pass")
    return make_app(DeskSettings(server_url=server.url), client)


async def _event(server: LiveServer, event: str, call_id: str, **fields: Any) -> Any:
    return await asyncio.to_thread(post_event, server.url, event, call_id, **fields)


def _message(app: PhoneDeskApp) -> str:
    from crm_core.client.tui.message_line import MessageLine

    lines = app.screen.query(MessageLine)
    return str(lines.first().render()) if lines else ""


async def test_journey_2_known_caller(
    live_server: LiveServer, cleanup: contextlib.ExitStack
) -> None:
    """The resident who filed online calls: the desk shows the file before the agent picks
    up, and the call lands on the same timeline the counter sees."""
    seed_services(live_server)
    give_extension(live_server, "telephone", "201")
    counter = cleanup.enter_context(api_client(live_server, "accueil"))
    camille = create_resident(counter)
    case = counter.open_case(resident_id=camille["id"], service_code="etat-civil",
                             subject="Acte de naissance", channel="web")
    app = _desk(live_server)
    cleanup.enter_context(app.client)
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_for(pilot, lambda: app.online and app.extension == "201")
        await _event(live_server, "newCall", "j2-call", from_="+33 6 12 34 56 78",
                     user=["201"], queue="allo-mairie")
        card = app.screen.query_one(ResidentCard)
        await wait_for(pilot, lambda: card.summary is not None)
        assert card.summary is not None
        assert card.summary["resident"]["id"] == camille["id"]
        assert [c["reference"] for c in card.summary["open_cases"]] == [case["reference"]]
        assert "Camille Durand" in str(app.screen.query_one(CallBanner).render())
        await _event(live_server, "answer", "j2-call", answeringNumber="201")
        await _event(live_server, "hangup", "j2-call", cause="normalClearing")
        banner = app.screen.query_one(CallBanner)
        await wait_for(pilot, lambda: (banner.call or {}).get("status") == "completed")
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, LogCallScreen))
        await pilot.pause(0.2)
        await pilot.press(*"Suivi de l'acte de naissance")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Appel enregistré" in _message(app))
        call = banner.call
    assert call is not None
    timeline = counter.timeline(camille["id"])
    phone = [entry for entry in timeline if entry["channel"] == "phone"]
    assert len(phone) == 1
    assert phone[0]["note"] == "Suivi de l'acte de naissance"
    logged = app.client.call(call["id"])
    assert logged["interaction_id"] == str(phone[0]["id"])
    assert datetime.fromisoformat(phone[0]["occurred_at"]) == datetime.fromisoformat(
        logged["started_at"])


async def test_journey_3_unknown_number(
    live_server: LiveServer, cleanup: contextlib.ExitStack
) -> None:
    """An unknown number: the agent types the name as heard and the birth date, Relais
    proposes the right person despite the typos, the number is linked with their consent."""
    give_extension(live_server, "telephone", "201")
    counter = cleanup.enter_context(api_client(live_server, "accueil"))
    camille = create_resident(counter)
    create_resident(counter, given_name="Camille", family_name="Dupont",
                    birth_date="1990-06-01", phones=[], emails=[])
    create_resident(counter, given_name="Marc", family_name="Durand", birth_date="1984-03-12",
                    phones=[], emails=[])
    app = _desk(live_server)
    cleanup.enter_context(app.client)
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_for(pilot, lambda: app.online)
        await _event(live_server, "newCall", "j3-call", from_="06 98 76 54 32", user=["201"])
        banner = app.screen.query_one(CallBanner)
        await wait_for(pilot, lambda: banner.call is not None)
        assert "Numéro inconnu" in str(banner.render())
        assert app.focused is not None
        assert app.focused.id == "search"
        search = app.screen.query_one("#search", Input)
        assert search.value == "+33698765432"  # pre-filled, selected: typing replaces it
        assert search.selected_text == search.value
        await pilot.press(*"camile durant", "tab", *"12/03/1984", "enter")
        assert search.value == "camile durant"
        results = app.screen.query_one(SearchResults)
        await wait_for(pilot, lambda: results.row_count > 0)
        first = results.coordinate_to_cell_key(Coordinate(0, 0)).row_key.value
        assert first == camille["id"]
        await pilot.press("enter")
        card = app.screen.query_one(ResidentCard)
        await wait_for(pilot, lambda: card.summary is not None)
        assert "F8" in _message(app)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkNumberScreen))
        await pilot.press("o")
        await wait_for(pilot, lambda: "Numéro rattaché" in _message(app))
    found = counter.lookup(phone="06 98 76 54 32")
    assert found["resident"]["id"] == camille["id"]
    linked = [p for p in found["contact_points"] if p["value"] == "+33698765432"]
    assert linked and linked[0]["contact_allowed"] is False


async def test_a_withheld_call_after_a_family_number_shows_nothing_of_the_family(
    live_server: LiveServer, cleanup: contextlib.ExitStack
) -> None:
    """A family's shared number rings, the agent opens one of them; then a withheld number
    rings: nothing of the family stays on screen, nor can be opened, logged or linked."""
    give_extension(live_server, "telephone", "201")
    counter = cleanup.enter_context(api_client(live_server, "accueil"))
    create_resident(counter, given_name="Anne", phones=["02 99 00 11 22"], emails=[])
    create_resident(counter, given_name="Paul", phones=["02 99 00 11 22"], emails=[])
    app = _desk(live_server)
    cleanup.enter_context(app.client)
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_for(pilot, lambda: app.online and app.extension == "201")
        await _event(live_server, "newCall", "fam-call", from_="0299001122", user=["201"])
        results = app.screen.query_one(SearchResults)
        await wait_for(pilot, lambda: results.row_count == 2)
        await wait_for(pilot, lambda: app.focused is results)
        await pilot.press("enter")
        card = app.screen.query_one(ResidentCard)
        await wait_for(pilot, lambda: card.summary is not None)
        await pilot.press("tab")  # the agent moves on, the family list still on screen
        await _event(live_server, "hangup", "fam-call", cause="normalClearing")

        await _event(live_server, "newCall", "masked-call", from_="anonymous", user=["201"])
        banner = app.screen.query_one(CallBanner)
        await wait_for(pilot, lambda: (banner.call or {}).get("call_id") == "masked-call")
        await pilot.pause(0.5)  # any answer still on its way for the family's call lands
        assert "Numéro masqué" in str(banner.render())
        assert "Durand" not in str(banner.render())
        assert results.row_count == 0 and not results.display
        assert card.summary is None
        assert app.screen.query_one("#search", Input).value == ""
        await pilot.press("f4")
        assert "Ouvrez d'abord le dossier" in _message(app)
        await pilot.press("f8")
        assert "Il faut un appel avec un numéro et un dossier ouvert" in _message(app)
