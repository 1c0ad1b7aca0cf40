"""The queue keys, and offline work: the server stops, visits are kept, sent once."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from sqlalchemy import Engine, select
from textual.widgets import DataTable

from counter_client.journal import EntryKind, EntryState, Journal
from counter_client.screens.home import HomeScreen
from counter_client.screens.refused import RefusedScreen
from counter_client.screens.resident import ResidentScreen
from counter_client.screens.ticket import TicketScreen
from crm_core.client import RelaisClient
from crm_core.client.tui.message_line import MessageLine
from crm_core.interactions.models import Interaction
from crm_core.queue.enums import TicketStatus
from crm_core.queue.models import QueueTicket
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
from tests.support.live_server import LiveServer, free_port, serve

pytestmark = pytest.mark.anyio

if TYPE_CHECKING:
    from crm_core.client.types import ResidentSummary


async def test_call_next_opens_the_known_resident_and_serves_the_previous_ticket(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    api.issue_ticket("etat-civil", resident_id=resident["id"])
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
        await pilot.pause(0.2)
        position = [s["code"] for s in app.services].index("urbanisme")
        await pilot.press(*["down"] * position, "enter")  # a ticket for Urbanisme
        await wait_for(pilot, lambda: len(api.waiting_tickets()) == 2)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        assert app.ticket == "001 · État civil"
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.ticket == "002 · Urbanisme")
        await pilot.press("f5")
        await wait_for(pilot, lambda: "Personne n'attend" in str(
            app.screen.query_one(MessageLine).render()))
    with live_server.session() as session:
        tickets = list(session.scalars(select(QueueTicket).order_by(QueueTicket.number)))
    assert [t.status for t in tickets] == [TicketStatus.SERVED, TicketStatus.SERVED]
    assert str(tickets[0].resident_id) == resident["id"]
    assert all(t.wait_seconds is not None and t.service_seconds is not None for t in tickets)


def _visits(engine: Engine, resident_id: str) -> list[str | None]:
    with engine.connect() as connection:
        return list(connection.scalars(
            select(Interaction.note).where(Interaction.resident_id == uuid.UUID(resident_id))
            .order_by(Interaction.occurred_at)
        ))


async def test_server_stops_mid_work_visits_wait_then_arrive_exactly_once(
    server_engine: Engine, tmp_path: Path
) -> None:
    port = free_port()
    with serve(server_engine, port=port) as server:
        seed_services(server)
        with api_client(server) as api:
            resident = create_resident(api)
        app = counter_app(server.url, tmp_path)
        async with running(app, (80, 24)) as pilot:
            await sign_in(pilot)
            app.open_resident(resident["id"])
            await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
    # -- the server is down: the app was closed with it; a new one starts offline --
    offline = counter_app(server.url, tmp_path)
    async with running(offline, (80, 24)) as pilot:
        await wait_for(pilot, lambda: offline.session is not None)  # the day's token
        offline.show_resident(cast("ResidentSummary", {
            "resident": {"id": resident["id"], "given_name": "Camille", "family_name": "Durand"},
            "open_cases": [], "recent_interactions": [], "contact_points": [], "badges": [],
            "flags": [], "merged_from": None}))
        await wait_for(pilot, lambda: isinstance(offline.screen, ResidentScreen))
        for number in (1, 2, 3):
            await pilot.press("v", "tab", "tab")
            await type_text(pilot, f"visite {number}")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(offline.screen, ResidentScreen))
        await wait_for(pilot, lambda: not offline.online)
        assert offline.pending == 3
        assert "HORS LIGNE" in str(offline.screen.query_one("StatusLine").render())
    assert _visits(server_engine, resident["id"]) == []

    # One entry reached the server but its answer was lost: the journal still has it.
    with Journal(tmp_path / "journal.sqlite3") as journal:
        first = journal.entries(EntryState.PENDING)[0]
    with serve(server_engine, port=port) as server, api_client(server) as api:
        api.record_interaction(**first.payload, idempotency_key=first.key)
        back = counter_app(server.url, tmp_path)
        async with running(back, (80, 24)) as pilot:
            await wait_for(pilot, lambda: back.pending == 0 and back.online, timeout=15)
    assert _visits(server_engine, resident["id"]) == ["visite 1", "visite 2", "visite 3"]


def test_journal_keeps_entries_when_the_process_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from counter_client.journal import EntryKind, Journal\n"
        "journal = Journal(Path(sys.argv[1]))\n"
        "journal.add(EntryKind.INTERACTION, {'resident_id': 'r', 'outcome': 'informed'})\n"
        "journal.add(EntryKind.CASE, {'resident_id': 'r', 'service_code': 's',"
        " 'subject': 'x'})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], check=False, env=os.environ.copy(),
    )
    assert result.returncode == -9
    with Journal(path) as journal:
        entries = journal.entries()
    assert [(e.kind, e.state) for e in entries] == [
        (EntryKind.INTERACTION, EntryState.PENDING), (EntryKind.CASE, EntryState.PENDING)]
    assert entries[0].payload["occurred_at"]
    assert len({e.key for e in entries}) == 2



async def test_f7_shows_what_the_server_refused_and_sets_it_aside(
    live_server: LiveServer, tmp_path: Path
) -> None:
    seed_services(live_server)
    with api_client(live_server) as api:
        resident = create_resident(api)
    with Journal(tmp_path / "journal.sqlite3") as journal:
        journal.add(EntryKind.CASE, {"resident_id": resident["id"], "service_code": "retire",
                                     "subject": "Carte de stationnement", "channel": "counter"})
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        await wait_for(pilot, lambda: app.rejected == 1)
        assert "1 refusé" in str(app.screen.query_one("StatusLine").render())
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, RefusedScreen))
        table = app.screen.query_one("#entries", DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[1:3] == ["Demande", "Carte de stationnement"]
        assert "Service inconnu" in row[3]
        await pilot.press("e")
        await wait_for(pilot, lambda: app.rejected == 0)
        assert table.row_count == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, RefusedScreen))
    with Journal(tmp_path / "journal.sqlite3") as journal:
        assert [e.payload["subject"] for e in journal.entries(EntryState.DISMISSED)] == [
            "Carte de stationnement"]


def _visit_authors(engine: Engine, resident_id: str) -> list[str]:
    from crm_core.agents.models import Agent

    with engine.connect() as connection:
        return list(connection.scalars(
            select(Agent.username).join(Interaction, Interaction.agent_id == Agent.id)
            .where(Interaction.resident_id == uuid.UUID(resident_id))
        ))


async def test_work_kept_here_is_sent_only_in_its_own_agents_session(
    live_server: LiveServer, server_engine: Engine, tmp_path: Path
) -> None:
    from counter_client.screens.home import HomeScreen
    from counter_client.screens.sign_in import SignInScreen
    from counter_client.screens.sign_out import SignOutScreen
    from crm_core.agents.enums import Role
    from crm_core.agents.service import create_agent

    seed_services(live_server)
    with live_server.session() as session:
        create_agent(db_session=session, username="guichet2", display_name="Léa Martin",
                     password="secret-pass", role=Role.COUNTER, site_code="hdv")
        session.commit()
    with api_client(live_server) as api:
        resident = create_resident(api)
    # A slow sync timer: the visit below stays waiting while the agent signs out.
    app = counter_app(live_server.url, tmp_path, sync_interval_seconds=600)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        app.journal.add(EntryKind.INTERACTION, {"resident_id": resident["id"],
                                                "outcome": "informed", "note": "de A"},
                        agent="accueil", agent_name="Accueil")
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, SignOutScreen))
        await pilot.press("escape")  # stays signed in
        assert app.session is not None
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, SignOutScreen))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        # A colleague signs in: A's visit is kept, named, and not sent under B.
        await sign_in(pilot, username="guichet2")
        await wait_for(pilot, lambda: any(
            "1 élément en attente de Accueil" in str(n.message)
            for n in app._notifications))
        app.sender.sync_now()
        await pilot.pause(0.5)
        assert app.pending == 0  # B's own count
        assert app.journal.count(EntryState.PENDING) == 1
        assert _visits(server_engine, resident["id"]) == []
        await pilot.press("f10")  # nothing of B's waits: no question
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await sign_in(pilot)  # A is back: the visit leaves under A's name
        assert isinstance(app.screen, HomeScreen)
        await wait_for(pilot, lambda: app.journal.count(EntryState.PENDING) == 0)
    assert _visit_authors(server_engine, resident["id"]) == ["accueil"]


async def test_a_refused_search_clears_the_previous_list(
    server_engine: Engine, tmp_path: Path
) -> None:
    """The server stops between two searches: the first query's list must not stay under
    the second, where Enter would open someone else's file."""
    with contextlib.ExitStack() as running_server:
        server = running_server.enter_context(serve(server_engine, port=free_port()))
        seed_services(server)
        with api_client(server) as api:
            create_resident(api)
        app = counter_app(server.url, tmp_path)
        async with running(app, (80, 24)) as pilot:
            await sign_in(pilot)
            await type_text(pilot, "camile durant")
            home = app.screen
            assert isinstance(home, HomeScreen)
            await wait_for(pilot, lambda: bool(home.results))
            running_server.close()  # the server stops; the next search is refused
            await type_text(pilot, " paul")
            message = home.query_one(MessageLine)
            await wait_for(pilot, lambda: message.has_class("error"))
            assert home.results == []
            await pilot.press("enter")
            await pilot.pause()
            assert not isinstance(app.screen, ResidentScreen)
