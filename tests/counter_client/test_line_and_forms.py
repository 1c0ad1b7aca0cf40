"""What an outside tester found after issue 19 (points 3, 4, 6, 7): the top line goes
back online only on a real answer, what was not loaded offline is fetched on return,
the waiting count shows at 80 columns, and the forms' keys are predictable."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from sqlalchemy import Engine
from textual.worker import WorkerState

from counter_client.screens.case_form import CaseFormScreen
from counter_client.screens.resident import ResidentScreen
from counter_client.screens.sign_in import SignInScreen
from counter_client.screens.visit import VisitScreen
from crm_core.client import RelaisClient
from crm_core.client.tui.french import Choice
from tests.counter_client.snapshot import visible_text
from tests.counter_client.support import (
    counter_app,
    create_resident,
    running,
    seed_services,
    sign_in,
    type_text,
    wait_for,
)
from tests.support.live_server import LiveServer, free_port, serve

pytestmark = pytest.mark.anyio
QUIET: dict[str, Any] = {"sync_interval_seconds": 3600, "health_interval_seconds": 3600}


def _status(app: Any) -> str:
    return str(app.screen.query_one("StatusLine").render())


async def _settled(pilot: Any, app: Any, group: str) -> None:
    """Wait until no worker of `group` is pending or running (its result is applied)."""
    await wait_for(pilot, lambda: not any(
        w.group == group and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        for w in app.workers))


async def test_nothing_but_a_real_answer_brings_the_line_back(
    server_engine: Engine, tmp_path: Path
) -> None:
    port = free_port()
    with contextlib.ExitStack() as server_up:
        server = server_up.enter_context(serve(server_engine, port=port))
        seed_services(server)
        app = counter_app(server.url, tmp_path, **QUIET)  # the test drives every round
        async with running(app, (80, 24)) as pilot:
            await sign_in(pilot)
            server_up.close()
            app.sender.check_line()
            await wait_for(pilot, lambda: not app.online)
            app.sender.sync_now()  # an empty journal: nothing sent proves nothing
            await _settled(pilot, app, "sync")
            assert not app.online and "HORS LIGNE" in _status(app)
            await pilot.press("f10")  # the sign-out call is refused too
            await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
            await _settled(pilot, app, "server")
            assert not app.online


async def test_a_start_while_offline_loads_the_services_once_the_server_is_back(
    server_engine: Engine, tmp_path: Path
) -> None:
    port = free_port()
    with serve(server_engine, port=port) as server:
        seed_services(server)
        first = counter_app(server.url, tmp_path, **QUIET)
        async with running(first, (80, 24)) as pilot:
            await sign_in(pilot)  # the session is kept on this workstation
        url = server.url
    app = counter_app(url, tmp_path, health_interval_seconds=0.3)
    async with running(app, (80, 24)) as pilot:
        await wait_for(pilot, lambda: not app.online)
        assert app.services == []
        assert "se chargera d'elle-même à son retour" in app.services_missing()
        with serve(server_engine, port=port):
            await wait_for(pilot, lambda: app.online and bool(app.services))
        assert sorted(s["code"] for s in app.services) == ["etat-civil", "urbanisme"]


async def test_the_waiting_count_shows_at_80_columns(
    live_server: LiveServer, tmp_path: Path
) -> None:
    seed_services(live_server)
    app = counter_app(live_server.url, tmp_path, **QUIET)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        app.agent = "Marie-Dominique Lefèvre-Rousseau · MAIRIE-CENTRE"
        app.online = False
        app.pending = 1
        app.rejected = 2
        await pilot.pause()
        line = _status(app)
        assert "⧗ 1 à envoyer" in line and "⚠ 2 refusé(s)" in line
        assert "HORS LIGNE" in line and cell_len(line) <= 78
        app.online = True  # was offline; the test puts it back before the workers end


async def _open_resident(pilot: Any, app: Any, resident: dict[str, Any]) -> None:
    app.open_resident(resident["id"])
    await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))


async def test_the_visit_form_starts_on_its_first_field_and_never_saves_by_surprise(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        await _open_resident(pilot, app, resident)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VisitScreen))
        assert app.focused is app.screen.query_one("#outcome", Choice)
        await pilot.press("enter")  # opens the list; nothing saved
        assert app.screen.query_one("#outcome", Choice).expanded
        await pilot.press("escape")  # closes the list only
        assert isinstance(app.screen, VisitScreen)
        await pilot.press("tab", "tab")
        assert app.focused is app.screen.query_one("#note")
        await pilot.press("enter")  # an untouched form: Enter does not save
        assert isinstance(app.screen, VisitScreen) and app.journal.entries() == []
        await pilot.press("shift+tab")  # back on a list: a letter opens it, is not lost
        await pilot.press("r")
        case_list = app.screen.query_one("#case", Choice)
        assert case_list.expanded or app.focused is not case_list
        await pilot.press("escape")
        app.screen.query_one("#note").focus()
        await type_text(pilot, "Pièces apportées")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(api.timeline(resident["id"])) == 1)
    assert api.timeline(resident["id"])[0]["note"] == "Pièces apportées"


async def test_with_caps_lock_on_v_records_a_visit_as_v_does(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    """Outside test: with Caps Lock on, « V » (and N, S, C, B, P) did nothing."""
    resident = create_resident(api)
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        await _open_resident(pilot, app, resident)
        bar = visible_text(app).splitlines()[-1]
        await pilot.press("V")
        await wait_for(pilot, lambda: isinstance(app.screen, VisitScreen))
        app.screen.query_one("#note").focus()
        await type_text(pilot, "Venue avec la majuscule")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(api.timeline(resident["id"])) == 1)
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        assert visible_text(app).splitlines()[-1] == bar  # the key bar shows no new key
    assert api.timeline(resident["id"])[0]["note"] == "Venue avec la majuscule"


async def test_a_letter_typed_on_a_list_opens_it_instead_of_vanishing(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        await _open_resident(pilot, app, resident)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseFormScreen))
        service = app.screen.query_one("#service", Choice)
        assert app.focused is service
        await pilot.press("u")  # "Urbanisme", searched in the open list
        assert service.expanded
        await pilot.press("enter")
        assert service.value == "urbanisme" and not service.expanded
        assert isinstance(app.screen, CaseFormScreen)


async def test_a_service_added_after_the_start_is_offered_in_the_new_request_form(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    from crm_core.cases.models import Service

    resident = create_resident(api)
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        with live_server.session() as session:  # added while the app runs
            session.add(Service(code="cimetiere", label="Cimetière", announced_delay_days=15))
            session.commit()
        await _open_resident(pilot, app, resident)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseFormScreen))
        service = app.screen.query_one("#service", Choice)
        await wait_for(pilot, lambda: any(
            value == "cimetiere" for _, value in service._options))
        assert any(s["code"] == "cimetiere" for s in app.services)
