"""`relais password`: the way an agent replaces, from their workstation, a password
someone else set (the counter app and the phone desk have no screen for it)."""

from __future__ import annotations

from sqlalchemy import update
from typer.testing import CliRunner

from crm_core.agents.models import Agent
from crm_core.client import RelaisClient
from crm_core.launcher import apps_only
from tests.support.live_server import LiveServer

runner = CliRunner()
NEW = "mon-propre-Secret-2026"


def _must_change(live_server: LiveServer, username: str) -> None:
    with live_server.session() as session:
        session.execute(update(Agent).where(Agent.username == username)
                        .values(must_change_password=True))
        session.commit()


def test_an_agent_replaces_a_password_someone_else_set(live_server: LiveServer) -> None:
    _must_change(live_server, "accueil")
    changed = runner.invoke(apps_only(), ["password", "accueil", "--server", live_server.url],
                            input=f"secret-pass\n{NEW}\n{NEW}\n")
    assert changed.exit_code == 0, changed.output
    assert "Mot de passe changé" in changed.output
    with RelaisClient(live_server.url) as client:
        assert client.sign_in("accueil", NEW)["password_change_required"] is False
        assert client.me()["role"] == "counter"
        client.sign_out()


def test_refusals_are_said_in_french_and_change_nothing(live_server: LiveServer) -> None:
    command = ["password", "accueil", "--server", live_server.url]
    mistyped = runner.invoke(apps_only(), command, input=f"secret-pass\n{NEW}\nautre\n")
    assert mistyped.exit_code == 2 and "diffèrent" in mistyped.output
    same = runner.invoke(apps_only(), command, input="secret-pass\nsecret-pass\nsecret-pass\n")
    assert same.exit_code == 2 and "doit être différent" in same.output
    wrong = runner.invoke(apps_only(), command, input=f"faux-mot\n{NEW}\n{NEW}\n")
    assert wrong.exit_code == 1 and "incorrect" in wrong.output
    with RelaisClient(live_server.url) as client:
        client.sign_in("accueil", "secret-pass")  # unchanged
        client.sign_out()
