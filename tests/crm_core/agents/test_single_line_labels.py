"""Labels an administrator types (a site's name and address, an agent's name) hold on one
line and show no hidden mark: a tab, a line break or a direction override is refused in
French, nothing written — whether through the API or `relais agent add`."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role, SiteKind
from crm_core.agents.models import Agent, Site
from crm_core.agents.service import create_agent
from crm_core.exceptions import InvalidInput

BAD = {"tab": "Mairie\tSud", "line feed": "Mairie\nSud", "carriage return": "Mairie\rSud",
       "override": "Mairie \u202eduS", "zero width": "\u200b"}


def _count(db_session: Session, model: type) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("name", BAD.values(), ids=BAD.keys())
def test_a_site_name_is_one_visible_line(
    name: str, client: TestClient, as_role: Callable[[Role], dict[str, str]],
    db_session: Session,
) -> None:
    admin = as_role(Role.ADMIN)
    before = _count(db_session, Site)
    for body in ({"name": name}, {"name": "Mairie Sud", "address": f"1 rue{name}"}):
        answer = client.post("/api/v1/sites", headers=admin, json={
            "code": "mairie-sud", "kind": SiteKind.ANNEX.value} | body)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert "libellé" in answer.json()["detail"], answer.json()
    assert _count(db_session, Site) == before


def test_an_agents_name_is_one_visible_line(
    client: TestClient, as_role: Callable[[Role], dict[str, str]], db_session: Session,
    factories: ModuleType,
) -> None:
    admin = as_role(Role.ADMIN)
    before = _count(db_session, Agent)
    created = client.post("/api/v1/agents", headers=admin, json={
        "username": "m.leroy", "display_name": "Martine\u202eyoreL",
        "role": "counter"})
    assert created.status_code == 422, created.text
    assert "direction du texte" in created.json()["detail"]
    assert _count(db_session, Agent) == before
    agent = factories.AgentFactory(display_name="Martine Leroy")
    db_session.commit()
    changed = client.patch(f"/api/v1/agents/{agent.id}", headers=admin,
                           json={"display_name": "Martine\nLeroy"})
    assert changed.status_code == 422, changed.text
    assert "une ligne" in changed.json()["detail"]
    db_session.refresh(agent)
    assert agent.display_name == "Martine Leroy"


def test_the_command_line_path_is_checked_too(db_session: Session) -> None:
    with pytest.raises(InvalidInput, match="une ligne"):
        create_agent(db_session=db_session, username="m.leroy", display_name="Martine\tLeroy",
                     password="s3cret!-long-enough", role=Role.COUNTER)


def test_an_extension_is_one_visible_line(
    client: TestClient, as_role: Callable[[Role], dict[str, str]], db_session: Session,
    factories: ModuleType,
) -> None:
    """Desks and rings show it: an override there once reached them as typed."""
    admin = as_role(Role.ADMIN)
    before = _count(db_session, Agent)
    created = client.post("/api/v1/agents", headers=admin, json={
        "username": "m.leroy", "display_name": "Martine Leroy",
        "role": "admin", "phone_extension": "20\u202e1"})
    assert created.status_code == 422, created.text
    assert created.headers["content-type"] == "application/problem+json"
    assert "chiffres seulement" in created.json()["detail"]  # the extension rule, below
    assert _count(db_session, Agent) == before
    agent = factories.AgentFactory(phone_extension="201")
    db_session.commit()
    changed = client.patch(f"/api/v1/agents/{agent.id}", headers=admin,
                           json={"phone_extension": "201\x1b[2J"})
    assert changed.status_code == 422, changed.text
    db_session.refresh(agent)
    assert agent.phone_extension == "201"
