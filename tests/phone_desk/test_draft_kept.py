"""A call-back being typed when the session ends elsewhere (the agent's password changed on
another client): the sign-in screen says it will come back, and it does, filled in, for the
same agent only (outside look 6 at issue 19, point 1)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from textual.widgets import Input

from crm_core.client import RelaisClient
from crm_core.client.telephony import PhoneClient
from phone_desk.app import PhoneDeskApp, make_app
from phone_desk.config import DeskSettings
from phone_desk.screens.callback import CallbackScreen
from phone_desk.screens.desk import DeskScreen
from phone_desk.screens.sign_in import SignInScreen
from tests.counter_client.support import type_burst, wait_for
from tests.phone_desk.support import stop_feed
from tests.support.live_server import LiveServer
from tests.support.telephony import give_extension

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "un-tout-autre-mot-de-passe"


def _shown(app: object) -> str:
    from textual.app import App

    assert isinstance(app, App)
    return str(app.screen.query_one("#message").render())


def _password_changed_elsewhere(url: str) -> None:
    """Another client changes the agent's password: the desk's session ends."""
    with RelaisClient(url) as other:
        other.sign_in("telephone", "secret-pass")
        other.change_password("secret-pass", NEW_PASSWORD)


async def _call_back_form_open(pilot: Any, app: PhoneDeskApp) -> None:
    """« telephone » signed in, the desk online, the call-back form (F5) open."""
    await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
    await type_burst(pilot, *"telephone", "tab", *"secret-pass", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen) and app.online)
    await pilot.press("f5")
    await wait_for(pilot, lambda: isinstance(app.screen, CallbackScreen))


async def test_the_call_back_being_typed_comes_back_to_the_same_agent_only(
    pbx_secrets: None, live_server: LiveServer, cleanup: contextlib.ExitStack,
) -> None:
    give_extension(live_server, "telephone", "201")
    give_extension(live_server, "superviseur", "202")
    client = PhoneClient(live_server.url)
    cleanup.callback(client.close)
    app = make_app(DeskSettings(server_url=live_server.url), client)
    async with app.run_test(size=(100, 30)) as pilot:
        await _call_back_form_open(pilot, app)
        form = app.screen
        for field, text in (("phone", "0612345678"), ("due", "+2h"),
                            ("reason", "Acte de naissance")):
            form.query_one(f"#{field}", Input).focus()
            await type_burst(pilot, *text)

        # Another client changes the agent's password: the desk's feed closes.
        _password_changed_elsewhere(live_server.url)
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen)
                       and "Session terminée" in _shown(app), timeout=10)
        await pilot.pause()
        assert ("Votre rappel en cours de saisie sera rouvert après reconnexion"
                in _shown(app))

        # Another agent on this desk: never sees it.
        await type_burst(pilot, *"superviseur", "tab", *"secret-pass", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))
        for _ in range(5):
            await pilot.pause()
        assert not any(isinstance(s, CallbackScreen) for s in app.screen_stack)
        await stop_feed(app)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))

        # The same agent again: the form is back with what they typed.
        await type_burst(pilot, *"telephone", "tab", *NEW_PASSWORD, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CallbackScreen))
        back = app.screen
        assert back is not form
        assert {key: back.query_one(f"#{key}", Input).value
                for key in ("phone", "due", "reason")} == {
            "phone": "0612345678", "due": "+2h", "reason": "Acte de naissance"}
        assert not app.drafts  # given back once
        await stop_feed(app)


async def test_quitting_with_a_kept_call_back_says_it_is_lost(
    pbx_secrets: None, live_server: LiveServer, cleanup: contextlib.ExitStack,
) -> None:
    give_extension(live_server, "telephone", "201")
    client = PhoneClient(live_server.url)
    cleanup.callback(client.close)
    app = make_app(DeskSettings(server_url=live_server.url), client)
    async with app.run_test(size=(100, 30)) as pilot:
        await _call_back_form_open(pilot, app)
        app.screen.query_one("#reason", Input).focus()
        await type_burst(pilot, *"Acte")
        _password_changed_elsewhere(live_server.url)
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen)
                       and "Session terminée" in _shown(app), timeout=10)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        assert "un rappel en cours de saisie" in _shown(app)
        assert "perdu en quittant" in _shown(app)
        await stop_feed(app)
