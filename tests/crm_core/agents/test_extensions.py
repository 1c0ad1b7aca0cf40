"""An agent's phone extension is ASCII digits (`crm_core.agents.extensions`): lookalikes of
another agent's 201 no longer get around « one active agent per extension », and a space
typed around it no longer makes the agent's own desk refuse them (issue 20, fourth
outside test). One function for the API and `relais agent add`."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from crm_core.agents.enums import Role
from crm_core.agents.extensions import normalize_extension
from crm_core.agents.models import Agent
from crm_core.app.launcher import full_app
from crm_core.config import get_settings
from crm_core.database.engine import make_engine, make_session_factory

app = full_app()

Headers = Callable[[Role], dict[str, str]]
# Spaces anywhere are dropped: a number written in pairs, « 2 01 », is still 201, and a
# PBX or a desk naming it so must reach the same seat.
SAME_201 = ["٢٠١", "２０１", "201 ", " 201", "\t201\n", "۲۰۱", "2 01", "2\u00a001", "2\u202f01"]
REFUSED = ["<b>207</b>", "=2+5", "20\u200b6", "20\u202e1", "2-01", "201a", "*201", "",
           "   ", "1" * 21]


@pytest.mark.parametrize("typed", SAME_201)
def test_every_spelling_of_201_is_201(typed: str) -> None:
    assert normalize_extension(typed) == "201"


@pytest.mark.parametrize("typed", REFUSED)
def test_anything_but_digits_is_refused_in_french(typed: str) -> None:
    with pytest.raises(ValueError, match="poste téléphonique"):
        normalize_extension(typed)


@pytest.mark.parametrize("typed", SAME_201)
def test_a_lookalike_of_a_taken_extension_is_the_taken_one(
    client: TestClient, as_role: Headers, db_session: Session, factories: ModuleType,
    typed: str,
) -> None:
    factories.AgentFactory(username="loic", phone_extension="201")
    other = factories.AgentFactory(username="anna", phone_extension="202")
    db_session.commit()
    changed = client.patch(f"/api/v1/agents/{other.id}", headers=as_role(Role.ADMIN),
                           json={"phone_extension": typed})
    assert changed.status_code == 409, changed.text
    assert "déjà attribué" in changed.json()["detail"]


def test_an_extension_is_stored_as_ascii_digits(
    client: TestClient, as_role: Headers, db_session: Session, factories: ModuleType
) -> None:
    admin = as_role(Role.ADMIN)
    created = client.post("/api/v1/agents", headers=admin, json={
        "username": "m.leroy", "display_name": "Martine Leroy",
        "role": "admin", "phone_extension": " ２０７ "})
    assert created.status_code == 201, created.text
    assert created.json()["phone_extension"] == "207"
    agent = factories.AgentFactory(phone_extension="210")
    db_session.commit()
    for typed in ("<b>207</b>", "=2+5"):
        refused = client.patch(f"/api/v1/agents/{agent.id}", headers=admin,
                               json={"phone_extension": typed})
        assert refused.status_code == 422, refused.text
        assert "chiffres seulement" in refused.json()["detail"]
    changed = client.patch(f"/api/v1/agents/{agent.id}", headers=admin,
                           json={"phone_extension": " 211"})
    assert changed.status_code == 200, changed.text
    db_session.refresh(agent)
    assert agent.phone_extension == "211"


@pytest.fixture
def cli_database(monkeypatch: pytest.MonkeyPatch, fresh_database_url: str) -> str:
    monkeypatch.setenv("RELAIS_DATABASE_URL", fresh_database_url)
    get_settings.cache_clear()
    return fresh_database_url


def test_the_command_line_takes_the_same_rule(cli_database: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    base = ["agent", "add", "--role", "phone", "--password", "s3cret!-long"]
    refused = runner.invoke(app, [*base[:2], "p.zero", *base[2:], "--extension", "20\u200b6"])
    assert refused.exit_code != 0
    assert "chiffres seulement" in refused.output
    added = runner.invoke(app, [*base[:2], "p.one", *base[2:], "--extension", "２０６ "])
    assert added.exit_code == 0, added.output
    engine = make_engine(cli_database)
    with make_session_factory(engine)() as session:
        stored = session.scalars(select(Agent.username).order_by(Agent.username)).all()
        assert stored == ["p.one"]
        assert session.scalar(select(Agent.phone_extension)) == "206"
    engine.dispose()
