"""Privilege by proxy: an admin alone never obtains residents' data, through any account;
every change of an agent is a security event with its author, listed for supervisors."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents import changes
from crm_core.agents.actor import CONSOLE
from crm_core.agents.enums import Role
from crm_core.agents.models import Agent
from crm_core.exceptions import InvalidInput
from tests.crm_core.agents.conftest import (
    OWN,
    STRONG,
    activate,
    approve,
    cannot_sign_in,
    events_of,
)
from tests.crm_core.conftest import sign_in


def _create(client: TestClient, headers: dict[str, str], role: str,
            site_code: str | None = None) -> Any:
    response = client.post("/api/v1/agents", headers=headers, json={
        "username": "proxy", "display_name": "Prête-nom", "role": role,
        "site_code": site_code})
    assert response.status_code == 201, response.text
    return response.json()


def test_an_admin_cannot_read_files_through_a_supervisor_they_create(
    client: TestClient, staff: dict[str, Any], db_session: Session,
) -> None:
    created = _create(client, staff["admin"], "supervisor")  # no site: every site
    assert (created["active"], created["pending_request_id"] is not None) == (False, True)
    cannot_sign_in(client, "proxy")
    listed = client.get("/api/v1/agents", headers=staff["admin"]).json()
    assert [a["pending_request_id"] for a in listed if a["username"] == "proxy"] == [
        created["pending_request_id"]]
    # The author cannot approve, nor can anyone but a supervisor.
    url = f"/api/v1/agents/requests/{created['pending_request_id']}/approve"
    assert client.post(url, headers=staff["admin"]).status_code == 403
    approved = approve(client, staff["chef"], created["pending_request_id"])
    cannot_sign_in(client, "proxy")  # no password until the agent chooses one
    proxy = activate(client, "proxy", approved["activation_code"])
    assert client.get("/api/v1/auth/me", headers=proxy).json()["role"] == "supervisor"
    events = events_of(db_session, "proxy")
    assert [e.detail.rsplit(" (par ", 1)[1] for e in events] == [
        "admin)", "chef)", "chef)", "proxy)"]
    assert "en attente" in events[0].detail and "validée" in events[1].detail
    assert events[2].detail.startswith("Code d'activation remis à chef, valable jusqu'au")
    assert events[3].detail == ("Mot de passe choisi avec le code d'activation remis à chef "
                                "(par proxy)")


@pytest.mark.parametrize("role", ["counter", "phone", "supervisor"])
def test_every_role_with_residents_data_waits_for_a_supervisor(
    client: TestClient, staff: dict[str, Any], role: str,
) -> None:
    created = _create(client, staff["admin"], role, "hdv")
    assert created["active"] is False and created["pending_request_id"]
    cannot_sign_in(client, "proxy")


def test_an_admin_account_is_created_at_once_and_logged(
    client: TestClient, staff: dict[str, Any], db_session: Session,
) -> None:
    created = _create(client, staff["admin"], "admin")
    assert (created["active"], created["pending_request_id"]) == (True, None)
    cannot_sign_in(client, "proxy")
    activate(client, "proxy", created["activation_code"])  # reads no resident: to the admin
    created_event, issued, used = events_of(db_session, "proxy")
    assert created_event.kind.value == "agent_changed"
    assert [e.detail.rsplit(" (par ", 1)[1] for e in (created_event, issued, used)] == [
        "admin)", "admin)", "proxy)"]


def test_promotion_site_widening_reset_and_reactivation_wait_narrowing_does_not(
    client: TestClient, staff: dict[str, Any], factories: ModuleType, db_session: Session,
) -> None:
    agent = factories.AgentFactory(username="marie", role=Role.COUNTER, site=staff["site"])
    db_session.commit()
    path = f"/api/v1/agents/{agent.id}"
    admin = staff["admin"]
    for change in ({"role": "supervisor"}, {"site_code": None}):
        answer = client.patch(path, headers=admin, json=change).json()
        assert answer["pending_request_id"] and (answer["role"], answer["site_id"]) == (
            "counter", str(staff["site"].id))
    reset = client.post(f"{path}/password", headers=admin)
    assert reset.json()["pending_request_id"] and reset.json()["activation_code"] is None
    marie = sign_in(client, "marie")  # her own password still works until approved
    # Taking away applies at once, and her session ends with her account.
    off = client.patch(path, headers=admin, json={"active": False, "phone_extension": "207"})
    assert (off.json()["active"], off.json()["phone_extension"]) == (False, "207")
    assert client.get("/api/v1/auth/me", headers=marie).status_code == 401
    back = client.patch(path, headers=admin, json={"active": True}).json()
    assert back["active"] is False and back["pending_request_id"]
    narrow = client.patch(path, headers=admin, json={"role": "admin"}).json()
    assert narrow["role"] == "admin"
    details = [e.detail for e in events_of(db_session, "marie")]
    # Each request filed, each one replaced (by the next, by a change), each change.
    assert len(details) == 10 and all(d.endswith("(par admin)") for d in details)
    assert details[2].startswith("site hdv → tous les sites : en attente")
    assert details[3].startswith("Demande de admin remplacée (nouvelle demande de admin)")
    assert details[5].startswith("Demande de admin remplacée (le compte a été modifié")
    assert client.get("/api/v1/security/events", headers=staff["chef"],
                      params={"kind": "agent_changed"}).json()[0]["subject"] == "marie"


def test_a_supervisor_approves_neither_their_own_change_nor_their_own_request(
    client: TestClient, staff: dict[str, Any], db_session: Session,
) -> None:
    chef = db_session.scalar(select(Agent).where(Agent.username == "chef"))
    assert chef is not None
    asked = client.patch(f"/api/v1/agents/{chef.id}", headers=staff["admin"],
                         json={"site_code": None}).json()  # every site, for chef
    approve = f"/api/v1/agents/requests/{asked['pending_request_id']}/approve"
    refused = client.post(approve, headers=staff["chef"])
    assert (refused.status_code, refused.json()["code"]) == (403, "four_eyes")
    listed = client.get("/api/v1/agents/requests", headers=staff["cheffe"]).json()
    assert [r["id"] for r in listed] == [asked["pending_request_id"]]
    refuse = approve.replace("/approve", "/refuse")
    assert client.post(refuse, headers=staff["cheffe"]).json()["status"] == "refused"
    assert client.post(approve, headers=staff["cheffe"]).status_code == 404
    db_session.refresh(chef)
    assert chef.site_id is not None


def test_an_approved_reset_revokes_the_password_and_gives_the_approver_a_code(
    client: TestClient, staff: dict[str, Any], factories: ModuleType, db_session: Session,
) -> None:
    agent = factories.AgentFactory(username="paul", role=Role.PHONE, site=staff["site"])
    db_session.commit()
    paul = sign_in(client, "paul")
    asked = client.post(f"/api/v1/agents/{agent.id}/password", headers=staff["admin"]).json()
    approved = approve(client, staff["chef"], asked["pending_request_id"])
    assert client.get("/api/v1/auth/me", headers=paul).status_code == 401
    cannot_sign_in(client, "paul", "secret-pass")  # the lost one is gone
    activate(client, "paul", approved["activation_code"], OWN)


def test_one_extension_one_agent(
    client: TestClient, staff: dict[str, Any], factories: ModuleType, db_session: Session,
) -> None:
    factories.AgentFactory(username="tel1", role=Role.PHONE, phone_extension="201")
    other = factories.AgentFactory(username="tel2", role=Role.PHONE)
    db_session.commit()
    taken = client.patch(f"/api/v1/agents/{other.id}", headers=staff["admin"],
                         json={"phone_extension": "201"})
    assert (taken.status_code, taken.json()["code"]) == (409, "conflict")
    assert "déjà attribué" in taken.json()["detail"]


BAD_NAMES = {
    "override": "Marie\u202eDupont",
    "control": "Marie\u0007",
    "line break": "Marie\nDupont",
    "zero width": "Ma\u200brie",
    "no letter": "1234",
}


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_a_display_name_is_checked_like_a_residents_name(
    client: TestClient, staff: dict[str, Any], factories: ModuleType, db_session: Session,
    name: str,
) -> None:
    agent = factories.AgentFactory(username="marie", display_name="Marie Dupont")
    db_session.commit()
    created = client.post("/api/v1/agents", headers=staff["admin"], json={
        "username": "proxy", "display_name": name, "role": "admin"})
    changed = client.patch(f"/api/v1/agents/{agent.id}", headers=staff["admin"],
                           json={"display_name": name})
    for answer in (created, changed):  # refused by the schema or by the service
        problem = answer.json()
        assert answer.status_code == 422 and problem["code"] == "invalid_input"
        assert "display_name" in (problem.get("field"), *(
            error["field"] for error in problem.get("errors", [])))
    db_session.refresh(agent)
    assert agent.display_name == "Marie Dupont" and events_of(db_session, "marie") == []


def test_the_console_path_checks_the_display_name_too(db_session: Session) -> None:
    def add(username: str, display_name: str) -> Agent:
        return changes.create(db_session=db_session, author=CONSOLE, username=username,
                              display_name=display_name, password=STRONG, role=Role.ADMIN,
                              timezone="Europe/Paris")[0]

    with pytest.raises(InvalidInput, match="trop long"):
        add("long", "é" * 121)
    with pytest.raises(InvalidInput, match="direction"):
        add("bidi", "\u202eEiram")
    assert add("tidy", "  Marie   Dupont ").display_name == "Marie Dupont"


def test_a_name_change_is_logged_old_and_new(
    client: TestClient, staff: dict[str, Any], factories: ModuleType, db_session: Session,
) -> None:
    agent = factories.AgentFactory(username="marie", display_name="Marie Dupont")
    db_session.commit()
    client.patch(f"/api/v1/agents/{agent.id}", headers=staff["admin"],
                 json={"display_name": "Marie Curie", "phone_extension": "208"})
    [event] = events_of(db_session, "marie")
    assert event.detail == ("Compte modifié : nom affiché « Marie Dupont » → « Marie Curie », "
                            "poste aucun → 208 (par admin)")


def test_a_supervisor_may_refuse_a_request_about_themselves(
    client: TestClient, staff: dict[str, Any], db_session: Session,
) -> None:
    """Outside test after issue 20: a 403 « quatre yeux », though refusing grants nothing."""
    chef = db_session.scalar(select(Agent).where(Agent.username == "chef"))
    assert chef is not None
    asked = client.patch(f"/api/v1/agents/{chef.id}", headers=staff["admin"],
                         json={"site_code": None}).json()
    refuse = f"/api/v1/agents/requests/{asked['pending_request_id']}/refuse"
    refused = client.post(refuse, headers=staff["chef"])
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "refused"
    db_session.refresh(chef)
    assert chef.site_id is not None
