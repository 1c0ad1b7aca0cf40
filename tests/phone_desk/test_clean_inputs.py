"""The desk's text fields drop what breaks cell widths, as the counter's do (« ❤️ » left
stray border characters in tmux): every field but the password is a `CleanInput`."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Input

from crm_core.client.telephony import PhoneClient
from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.clean_input import CleanInput
from phone_desk.app import make_app
from phone_desk.config import DeskSettings
from phone_desk.screens.callback import CallbackScreen
from phone_desk.screens.desk import DeskScreen
from phone_desk.screens.log_call import LogCallScreen
from phone_desk.screens.sign_in import SignInScreen
from tests.counter_client.support import type_burst, wait_for
from tests.counter_client.widgets.test_clean_input import type_as_terminal
from tests.phone_desk.support import stop_feed
from tests.phone_desk.test_forms import SERVICES, _Host, _ready
from tests.support.live_server import LiveServer
from tests.support.telephony import give_extension

pytestmark = pytest.mark.anyio


def _typed_fields_are_clean(screen: object) -> bool:
    fields = list(screen.query(Input))  # type: ignore[attr-defined]
    return bool(fields) and all(isinstance(field, CleanInput) or field.password
                                for field in fields)


async def test_every_typed_field_of_the_desk_drops_what_breaks_widths(
    pbx_secrets: None, live_server: LiveServer, cleanup: contextlib.ExitStack,
) -> None:
    give_extension(live_server, "telephone", "201")
    client = PhoneClient(live_server.url)
    cleanup.callback(client.close)
    app = make_app(DeskSettings(server_url=live_server.url), client)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen)
                       and app.focused is not None)
        assert _typed_fields_are_clean(app.screen)
        await type_as_terminal(pilot, "tel❤\ufe0f")
        assert app.screen.query_one("#username", Input).value == "tel❤"
        app.screen.query_one("#username", Input).value = "telephone"
        await type_burst(pilot, "tab", *"secret-pass", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen)
                       and bool(app.screen.query("#search")))
        assert _typed_fields_are_clean(app.screen)
        await wait_for(pilot, lambda: app.online)
        search = app.screen.query_one("#search", Input)
        await wait_for(pilot, lambda: app.focused is search)  # the desk's keys go there
        await type_as_terminal(pilot, "Durand👍🏽")
        assert search.value == "Durand👍"
        await stop_feed(app)


@pytest.mark.parametrize("form", ["callback", "log_call"])
async def test_the_forms_fields_drop_what_breaks_widths(form: str) -> None:
    screen: Screen[Any] = (CallbackScreen("+33612345678", city=CityTime()) if form == "callback"
                           else LogCallScreen([], SERVICES))
    app = _Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _ready(app, screen))
        assert _typed_fields_are_clean(screen)
        field = app.focused
        assert isinstance(field, CleanInput)
        await type_as_terminal(pilot, "rappel❤\ufe0f")
        assert field.value.endswith("rappel❤")
