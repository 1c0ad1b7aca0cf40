"""Data is shown as typed, never as markup: a site code, a service label or a case subject
holding Rich/Textual markup ("[/]", "[b]") is displayed verbatim and crashes nothing."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from textual.widgets import OptionList, Select

from counter_client.screens.case_form import CaseFormScreen
from counter_client.screens.resident import ResidentScreen
from counter_client.screens.sign_in import SignInScreen
from counter_client.screens.ticket import TicketScreen
from crm_core.cases.models import Service
from tests.counter_client.support import (
    api_client,
    counter_app,
    create_resident,
    running,
    sign_in,
    type_text,
    wait_for,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio

HOSTILE = "[b]Urgences[/b] [/] [link=http://x]ici[/link] $x$"


def _seed(server: LiveServer) -> None:
    with server.session() as session:
        session.add(Service(code="hostile", label=HOSTILE, announced_delay_days=5))
        session.commit()


async def test_a_site_code_with_markup_typed_at_sign_in_is_shown_as_typed(
    live_server: LiveServer, tmp_path: Path
) -> None:
    _seed(live_server)
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.click("#username")
        await pilot.press(*"accueil", "tab", *"secret-pass", "tab")
        await type_text(pilot, "[/]")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "[/]" in str(app.screen.query_one("#message").render()))
        assert isinstance(app.screen, SignInScreen)  # refused, and still running


async def test_a_service_label_with_markup_is_data_in_the_ticket_and_case_screens(
    live_server: LiveServer, tmp_path: Path, cleanup: contextlib.ExitStack
) -> None:
    _seed(live_server)
    api = cleanup.enter_context(api_client(live_server))
    resident = create_resident(api)
    api.open_case(resident_id=resident["id"], service_code="hostile", subject="[/] [b]x")
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (100, 30)) as pilot:
        await sign_in(pilot)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        options = app.screen.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert HOSTILE in shown
        await pilot.press("escape")
        await type_text(pilot, "camille durand")
        await wait_for(pilot, lambda: bool(getattr(app.screen, "results", None)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseFormScreen))
        select = app.screen.query_one("#service", Select)
        assert HOSTILE in [str(prompt) for prompt, _ in select._options]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        await pilot.press("v")  # the visit form lists the open case by its subject
        await pilot.pause(0.2)
        assert app.is_running
