"""F8: a supervisor sends or discards what an agent who left kept on this workstation;
F7 shows an agent only their own refused entries (counter_client/screens/left_behind.py,
refused.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from textual.widgets import DataTable

from counter_client.journal import EntryKind, EntryState, Journal
from counter_client.screens.left_behind import ConfirmDiscardScreen, LeftBehindScreen
from counter_client.screens.refused import RefusedScreen
from counter_client.screens.sign_in import SignInScreen
from crm_core.agents.models import Agent
from crm_core.client.tui.message_line import MessageLine
from crm_core.interactions.models import Interaction
from tests.counter_client.support import (
    api_client,
    counter_app,
    create_resident,
    running,
    seed_services,
    sign_in,
    wait_for,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio


def _fill_journal(path: Path, resident_id: str) -> None:
    """Léa (gone) left a visit and a refused request; Paul (gone) a visit; the counter
    agent « accueil » a refused request of their own."""
    with Journal(path) as journal:
        journal.add(EntryKind.INTERACTION, {"resident_id": resident_id, "outcome": "informed",
                                            "note": "Pièces pour le passeport"},
                    agent="lea", agent_name="Léa Martin")
        journal.add(EntryKind.INTERACTION, {"resident_id": resident_id, "outcome": "informed"},
                    agent="paul", agent_name="Paul Roux")
        for agent, subject in (("lea", "Demande de Léa"), ("accueil", "Demande d'Accueil")):
            entry = journal.add(EntryKind.CASE, {"resident_id": resident_id,
                                                 "service_code": "x", "subject": subject},
                                agent=agent, agent_name=agent)
            journal._finish(entry.id, EntryState.REJECTED, error="Service inconnu")


def _notes_and_authors(engine: Engine, resident_id: str) -> list[tuple[str | None, str]]:
    with engine.connect() as connection:
        return [(row.note, row.username) for row in connection.execute(
            select(Interaction.note, Agent.username)
            .join(Agent, Interaction.agent_id == Agent.id)
            .where(Interaction.resident_id == uuid.UUID(resident_id)))]


async def test_an_agent_sees_only_their_refusals_and_cannot_send_others_work(
    live_server: LiveServer, tmp_path: Path
) -> None:
    seed_services(live_server)
    with api_client(live_server) as api:
        resident = create_resident(api)
    _fill_journal(tmp_path / "journal.sqlite3", resident["id"])
    app = counter_app(live_server.url, tmp_path)
    async with running(app) as pilot:
        await sign_in(pilot)
        await wait_for(pilot, lambda: any("un responsable d'accueil, F8" in str(n.message)
                                          for n in app._notifications))
        assert app.rejected == 1
        await pilot.press("f8")
        await pilot.pause()
        assert "Réservé aux responsables" in str(app.screen.query_one(MessageLine).render())
        assert not isinstance(app.screen, LeftBehindScreen)
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, RefusedScreen))
        table = app.screen.query_one("#entries", DataTable)
        assert [str(table.get_row_at(0)[2])] == ["Demande d'Accueil"]
        assert table.row_count == 1


async def test_a_supervisor_sends_one_agents_work_and_discards_anothers(
    live_server: LiveServer, server_engine: Engine, tmp_path: Path
) -> None:
    seed_services(live_server)
    with api_client(live_server) as api:
        resident = create_resident(api)
    _fill_journal(tmp_path / "journal.sqlite3", resident["id"])
    app = counter_app(live_server.url, tmp_path)
    async with running(app) as pilot:
        await sign_in(pilot, username="superviseur")
        await wait_for(pilot, lambda: any(
            "2 éléments en attente d'autres agents (Léa Martin : 1, Paul Roux : 1)"
            in str(n.message) for n in app._notifications))
        assert app.rejected == 2  # everyone's refusals
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, RefusedScreen))
        assert app.screen.query_one("#entries", DataTable).row_count == 2
        await pilot.press("escape")
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, LeftBehindScreen))
        screen = app.screen
        await pilot.press("t")  # Léa's visit, the first row
        await wait_for(pilot, lambda: app.journal.count(EntryState.PENDING) == 1)
        await wait_for(pilot, lambda: "envoyé(s) en votre nom" in str(
            screen.query_one(MessageLine).render()))
        await pilot.press("e")  # Paul's, now the only row: asks first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDiscardScreen))
        await pilot.press("escape")  # keeps it
        await wait_for(pilot, lambda: app.screen is screen)
        assert app.journal.count(EntryState.PENDING) == 1
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDiscardScreen))
        await pilot.press("o")
        await wait_for(pilot, lambda: app.journal.count(EntryState.PENDING) == 0)
        assert "1 élément de Paul Roux écarté(s)" in str(screen.query_one(MessageLine).render())
        await pilot.press("escape", "f10")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
    assert _notes_and_authors(server_engine, resident["id"]) == [
        ("[Saisi hors ligne au guichet par Léa Martin (lea), transmis par Superviseur.]\n"
         "Pièces pour le passeport", "superviseur")]
    with Journal(tmp_path / "journal.sqlite3") as journal:
        sent, = journal.entries(EntryState.SENT)
        assert (sent.agent, sent.handled_by) == ("lea", "Superviseur")
        discarded = [e for e in journal.entries(EntryState.DISMISSED) if e.agent == "paul"]
        assert [e.handled_by for e in discarded] == ["Superviseur"]
