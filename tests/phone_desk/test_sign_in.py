"""The desk's sign-in typed in one burst (a password manager, fast fingers): every key
lands in its field (issue 19 leftovers, point 6)."""

from __future__ import annotations

import contextlib

import pytest
from textual.widgets import Input

from crm_core.client.telephony import PhoneClient
from phone_desk.app import make_app
from phone_desk.config import DeskSettings
from phone_desk.screens.desk import DeskScreen
from phone_desk.screens.sign_in import SignInScreen
from tests.counter_client.support import type_burst, wait_for
from tests.phone_desk.support import stop_feed
from tests.support.live_server import LiveServer
from tests.support.telephony import give_extension

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("between", ["tab", "enter"])
async def test_a_burst_of_keys_lands_in_the_right_fields(
    pbx_secrets: None, live_server: LiveServer, cleanup: contextlib.ExitStack, between: str
) -> None:
    give_extension(live_server, "telephone", "201")
    client = PhoneClient(live_server.url)
    cleanup.callback(client.close)
    app = make_app(DeskSettings(server_url=live_server.url), client)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await type_burst(pilot, *"telephone", between, *"secret-pass", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen)
                       or "⚠" in str(app.screen.query_one("#message").render()))
        typed = {field.id: field.value for field in app.screen.query(Input)}
        assert isinstance(app.screen, DeskScreen), typed
        assert app.agent
        await wait_for(pilot, lambda: app.online)  # the desk is up, its feed connected
        await stop_feed(app)


async def test_after_a_refused_sign_in_the_cursor_is_on_the_field_to_type_again(
    live_server: LiveServer, cleanup: contextlib.ExitStack,
) -> None:
    """Issue 19 leftovers, point 5: the focus stayed where it was after an error."""
    client = PhoneClient(live_server.url)
    cleanup.callback(client.close)
    app = make_app(DeskSettings(server_url=live_server.url), client)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen)
                       and app.focused is not None)
        screen = app.screen
        await type_burst(pilot, *"telephone", "tab", *"mauvais", "enter")
        await wait_for(pilot, lambda: "⚠" in str(screen.query_one("#message").render()))
        await pilot.pause()
        assert app.focused is screen.query_one("#password", Input)  # emptied: type again
        screen.query_one("#username", Input).value = ""
        screen.query_one("#password", Input).focus()
        await type_burst(pilot, *"secret", "enter")
        await wait_for(pilot, lambda: app.focused is screen.query_one("#username", Input))


async def test_a_password_someone_else_set_is_refused_with_what_to_do(
    pbx_secrets: None, live_server: LiveServer, cleanup: contextlib.ExitStack,
) -> None:
    """The desk cannot change a password: the server's French refusal says it must be
    changed and how (`relais password`); the desk does not open."""
    from sqlalchemy import update

    from crm_core.agents.models import Agent

    with live_server.session() as session:
        session.execute(update(Agent).where(Agent.username == "telephone")
                        .values(must_change_password=True))
        session.commit()
    client = PhoneClient(live_server.url)
    cleanup.callback(client.close)
    app = make_app(DeskSettings(server_url=live_server.url), client)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await type_burst(pilot, *"telephone", "tab", *"secret-pass", "enter")
        await wait_for(pilot, lambda: "⚠" in str(app.screen.query_one("#message").render()))
        shown = str(app.screen.query_one("#message").render())
        assert "Vous devez changer votre mot de passe" in shown and "relais password" in shown
        assert isinstance(app.screen, SignInScreen) and not app.agent


async def test_signing_in_with_the_server_down_does_not_promise_offline_work(
    cleanup: contextlib.ExitStack,
) -> None:
    # issue 19: « … injoignable : travail hors ligne », while no one works without a session.
    client = PhoneClient("http://127.0.0.1:9")
    cleanup.callback(client.close)
    app = make_app(DeskSettings(server_url="http://127.0.0.1:9"), client)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen)
                       and app.focused is not None)
        await type_burst(pilot, *"telephone", "tab", *"secret-pass", "enter")
        await wait_for(pilot, lambda: "⚠" in str(app.screen.query_one("#message").render()))
        said = str(app.screen.query_one("#message").render())
        assert "hors ligne" not in said and "injoignable : connexion impossible" in said
