"""The phone desk shows data as typed: a service label or a case subject holding markup
("[/]", "[b]") is listed verbatim in the call form, and an error naming it crashes
nothing."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from textual.widgets import Select

from crm_core.cases.models import Service
from crm_core.client.telephony import PhoneClient
from crm_core.client.tui.resident_card import ResidentCard
from phone_desk.app import make_app
from phone_desk.config import DeskSettings
from phone_desk.screens.log_call import LogCallScreen
from tests.counter_client.support import api_client, create_resident, wait_for
from tests.support.live_server import LiveServer
from tests.support.telephony import give_extension, post_event

pytestmark = pytest.mark.anyio

HOSTILE = "[b]Urgences[/b] [/] $x$"


@pytest.fixture(autouse=True)
def _pbx(pbx_secrets: None) -> None:
    return None


async def test_hostile_labels_are_listed_as_typed_in_the_call_form(
    live_server: LiveServer, cleanup: contextlib.ExitStack
) -> None:
    give_extension(live_server, "telephone", "201")
    with live_server.session() as session:
        session.add(Service(code="hostile", label=HOSTILE, announced_delay_days=5))
        session.commit()
    counter = cleanup.enter_context(api_client(live_server))
    resident = create_resident(counter, phones=["02 99 00 11 33"], emails=[])
    counter.open_case(resident_id=resident["id"], service_code="hostile", subject="[/] [i]")
    client = PhoneClient(live_server.url)
    client.sign_in("telephone", "secret-pass")
    app = make_app(DeskSettings(server_url=live_server.url), client)
    cleanup.enter_context(app.client)
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_for(pilot, lambda: app.online and bool(app.services))
        await asyncio.to_thread(post_event, live_server.url, "newCall", "h-1",
                                from_="0299001133", user=["201"])
        card = app.screen.query_one(ResidentCard)
        await wait_for(pilot, lambda: card.summary is not None)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, LogCallScreen))
        services = app.screen.query_one("#service", Select)
        assert HOSTILE in [str(prompt) for prompt, _ in services._options]
        services.focus()
        await pilot.press("enter")  # the list opens: every prompt is drawn
        await pilot.pause(0.1)
        await pilot.press("down", "enter")
        await pilot.pause(0.1)
        assert services.value == "hostile"
        cases = app.screen.query_one("#case", Select)
        [hostile_case] = [value for prompt, value in cases._options
                          if str(prompt).endswith("— [/] [i]")]
        cases.value = hostile_case  # drawn as the current choice
        await pilot.pause(0.1)
        assert app.is_running
