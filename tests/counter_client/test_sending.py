"""The top line follows the server by itself, and a save says where the entry is
(issue 19, point 3): a real server stopped and started again under the app."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from sqlalchemy import Engine

from counter_client.screens.resident import ResidentScreen
from counter_client.screens.visit import VisitScreen
from crm_core.client.tui.message_line import MessageLine
from tests.counter_client.support import (
    api_client,
    counter_app,
    create_resident,
    running,
    seed_services,
    sign_in,
    type_text,
    wait_for,
)
from tests.support.live_server import free_port, serve

pytestmark = pytest.mark.anyio


def _status(app: object) -> str:
    return str(app.screen.query_one("StatusLine").render())  # type: ignore[attr-defined]


async def test_the_line_follows_the_server_without_any_action(
    server_engine: Engine, tmp_path: Path
) -> None:
    port = free_port()
    with contextlib.ExitStack() as server_up:
        server = server_up.enter_context(serve(server_engine, port=port))
        seed_services(server)
        app = counter_app(server.url, tmp_path)
        async with running(app, (80, 24)) as pilot:
            await sign_in(pilot)
            assert "en ligne" in _status(app)
            server_up.close()  # the server dies; the agent touches nothing
            await wait_for(pilot, lambda: not app.online)
            assert "HORS LIGNE" in _status(app)
            with serve(server_engine, port=port):
                await wait_for(pilot, lambda: app.online)
                assert "en ligne" in _status(app)


async def test_a_visit_saved_as_the_server_dies_says_it_is_kept_here(
    server_engine: Engine, tmp_path: Path
) -> None:
    port = free_port()
    with contextlib.ExitStack() as server_up:
        server = server_up.enter_context(serve(server_engine, port=port))
        seed_services(server)
        with api_client(server) as api:
            resident = create_resident(api)
        # No health check in this test: the app still believes the server is there.
        app = counter_app(server.url, tmp_path, health_interval_seconds=3600)
        async with running(app, (80, 24)) as pilot:
            await sign_in(pilot)
            app.open_resident(resident["id"])
            await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
            server_up.close()
            assert app.online
            await pilot.press("v")
            await wait_for(pilot, lambda: isinstance(app.screen, VisitScreen))
            await pilot.press("tab", "tab")
            await type_text(pilot, "Dossier complet")
            await pilot.press("enter")
            message = app.screen.query_one(MessageLine)
            await wait_for(pilot, lambda: "gardée sur ce poste" in str(message.render()))
            assert "Visite enregistrée" not in str(message.render())
            assert app.pending == 1 and not app.online
            with serve(server_engine, port=port):  # back: the agent hears it went through
                await wait_for(pilot, lambda: app.pending == 0)
                await wait_for(pilot, lambda: "Visite de Camille DURAND envoyée."
                               in str(message.render()))


async def test_a_deactivation_while_idle_ends_the_session_and_clears_the_resident(
    server_engine: Engine, tmp_path: Path
) -> None:
    from sqlalchemy import update

    from counter_client.app import SESSION_ENDED
    from counter_client.screens.sign_in import SignInScreen
    from crm_core.agents.models import Agent

    with serve(server_engine, port=free_port()) as server:
        seed_services(server)
        with api_client(server) as api:
            resident = create_resident(api)
        app = counter_app(server.url, tmp_path)
        async with running(app, (80, 24)) as pilot:
            await sign_in(pilot)
            app.open_resident(resident["id"])
            await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
            with server.session() as session:  # an administrator deactivates the agent
                session.execute(update(Agent).where(Agent.username == "accueil")
                                .values(active=False))
                session.commit()
            await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen), timeout=5)
            await pilot.pause(0.2)
            assert app.session is None
            assert not app.is_screen_installed("resident")  # nothing of the resident left
            assert SESSION_ENDED in str(app.screen.query_one("#message").render())


def test_the_session_check_is_not_counted_as_activity(server_engine: Engine) -> None:
    from sqlalchemy import select

    from crm_core.agents.models import AgentSession

    with serve(server_engine, port=free_port()) as server, api_client(server) as api:
        with server.session() as session:
            before = session.scalars(select(AgentSession.last_seen_at)).all()
        api.session_alive()
        with server.session() as session:
            assert session.scalars(select(AgentSession.last_seen_at)).all() == before
