"""Sign-in typed in one burst, as a scanner, a password manager or fast fingers type it:
every key lands in its field (issue 19 leftovers, point 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from counter_client.screens.home import HomeScreen
from counter_client.screens.sign_in import SignInScreen
from crm_core.client.errors import ServerUnreachable
from tests.counter_client.support import (
    counter_app,
    running,
    seed_services,
    sign_in,
    type_burst,
    wait_for,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("between", ["tab", "enter"])
async def test_a_burst_of_keys_lands_in_the_right_fields(
    live_server: LiveServer, tmp_path: Path, between: str
) -> None:
    seed_services(live_server)
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen)
                       and bool(app.screen.query("#username")))
        await type_burst(pilot, *"accueil", between, *"secret-pass", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen)
                       or "⚠" in str(app.screen.query_one("#message").render()))
        typed = {field.id: field.value for field in app.screen.query(Input)}
        assert isinstance(app.screen, HomeScreen), typed  # before: username "accueilsecret-pass"
        assert app.session is not None and app.session.username == "accueil"


async def test_a_password_someone_else_set_is_refused_with_what_to_do(
    live_server: LiveServer, tmp_path: Path
) -> None:
    """The app cannot change a password: it says, in French, that it must be changed and
    how (`relais password`), and opens nothing."""
    from sqlalchemy import update

    from crm_core.agents.models import Agent

    with live_server.session() as session:
        session.execute(update(Agent).where(Agent.username == "accueil")
                        .values(must_change_password=True))
        session.commit()
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen)
                       and bool(app.screen.query("#username")))
        await type_burst(pilot, *"accueil", "tab", *"secret-pass", "enter")
        await wait_for(pilot, lambda: "⚠" in str(app.screen.query_one("#message").render()))
        shown = str(app.screen.query_one("#message").render())
        assert "Vous devez changer votre mot de passe" in shown
        assert "relais password" in shown
        assert isinstance(app.screen, SignInScreen) and app.session is None
        assert app.client.token is None


@pytest.mark.parametrize(("keys", "focused"), [
    # A wrong password typed from the site field: back to the (emptied) password.
    ((*"accueil", "tab", *"faux-pass", "tab", *"hdv", "enter"), "password"),
    # A password but no identifier: the identifier first.
    (("tab", *"secret-pass", "tab", "enter"), "username"),
    # Spaces only are no identifier.
    (("space", "tab", *"secret-pass", "tab", "enter"), "username"),
])
async def test_after_a_sign_in_error_the_focus_is_where_to_type_again(
    live_server: LiveServer, tmp_path: Path, keys: tuple[str, ...], focused: str
) -> None:
    seed_services(live_server)
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#username")))
        await pilot.click("#username")
        await pilot.press(*keys)
        await wait_for(pilot, lambda: "⚠" in str(app.screen.query_one("#message").render()))
        await pilot.pause()
        assert app.focused is not None and app.focused.id == focused
        assert app.screen.query_one("#password", Input).value in ("", "secret-pass")


async def test_signing_in_with_the_server_down_does_not_promise_offline_work(
    tmp_path: Path,
) -> None:
    # issue 19: « … injoignable : travail hors ligne », while no one works without a session.
    app = counter_app("http://127.0.0.1:9", tmp_path)
    async with running(app, (80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen)
                       and bool(app.screen.query("#username")))
        await type_burst(pilot, *"accueil", "tab", *"secret-pass", "enter")
        await wait_for(pilot, lambda: "⚠" in str(app.screen.query_one("#message").render()))
        said = str(app.screen.query_one("#message").render())
        assert "hors ligne" not in said
        assert "injoignable : connexion impossible" in said and "réessayez" in said


async def test_signing_out_offline_says_the_session_could_not_be_closed(
    live_server: LiveServer, tmp_path: Path
) -> None:
    seed_services(live_server)
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        def away() -> None:  # the server went away
            raise ServerUnreachable("Serveur Relais injoignable : travail hors ligne")

        app.client.sign_out = away  # type: ignore[method-assign]
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen)
                       and "⚠" in str(app.screen.query_one("#message").render()))
        said = str(app.screen.query_one("#message").render())
        assert "n'a pas pu y être fermée" in said and "expirera" in said
