"""`relais password`: the way an agent sets their password with an activation code, or
replaces one typed at the console, from their workstation (the counter app and the phone
desk have no screen for it)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update
from typer.testing import CliRunner
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from crm_core.agents.models import Agent
from crm_core.app.launcher import apps_only
from crm_core.client import RelaisClient
from phone_desk.feed import desk_url
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


def _code_for(live_server: LiveServer, username: str) -> str:
    """An admin account created through the API: its code is in the answer."""
    with RelaisClient(live_server.url) as client:
        token = client.sign_in("admin", "secret-pass")["access_token"]
        created = httpx.post(f"{live_server.url}/api/v1/agents", timeout=5, json={
            "username": username, "display_name": "Nouvelle Recrue", "role": "admin"},
            headers={"Authorization": f"Bearer {token}"})
        client.sign_out()
    assert created.status_code == 201, created.text
    return str(created.json()["activation_code"])


def test_an_agent_sets_their_password_with_their_activation_code(
    live_server: LiveServer,
) -> None:
    code = _code_for(live_server, "recrue")
    command = ["password", "recrue", "--server", live_server.url, "--code"]
    done = runner.invoke(apps_only(), command, input=f"{code}\n{NEW}\n{NEW}\n")
    assert done.exit_code == 0, done.output
    assert "Mot de passe enregistré" in done.output
    again = runner.invoke(apps_only(), command, input=f"{code}\n{NEW}\n{NEW}\n")
    assert again.exit_code == 1 and "code d'activation incorrect" in again.output
    with RelaisClient(live_server.url) as client:
        assert client.sign_in("recrue", NEW)["password_change_required"] is False
        client.sign_out()


def test_an_unreadable_server_is_a_usage_error_and_an_absent_one_said_plainly(
    live_server: LiveServer,
) -> None:
    """`--server notaurl` ran and answered « injoignable … travail hors ligne », exit 1."""
    unreadable = runner.invoke(apps_only(), ["password", "carl", "--server", "notaurl"],
                               input="a\nb\nb\n")
    assert unreadable.exit_code == 2, unreadable.output
    assert "« notaurl » invalide" in unreadable.output and "hors ligne" not in unreadable.output
    absent = runner.invoke(apps_only(), ["password", "carl", "--server", "http://127.0.0.1:9"],
                           input=f"a\n{NEW}\n{NEW}\n")
    assert absent.exit_code == 1, absent.output
    assert "injoignable (http://127.0.0.1:9) : rien n'a changé" in absent.output
    assert "hors ligne" not in absent.output


def test_a_session_that_must_change_its_password_gets_no_desk(live_server: LiveServer) -> None:
    """As SECURITY.md says: refused at the handshake with HTTP 403, like every refusal of
    the desk's socket (the app already showed why at sign-in)."""
    _must_change(live_server, "telephone")
    with RelaisClient(live_server.url) as client:
        token = client.sign_in("telephone", "secret-pass")["access_token"]
    with pytest.raises(InvalidStatus) as refused:
        connect(desk_url(live_server.url, "201"), open_timeout=5,
                additional_headers={"Authorization": f"Bearer {token}"})
    assert refused.value.response.status_code == 403
