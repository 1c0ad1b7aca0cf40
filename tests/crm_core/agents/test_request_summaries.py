"""A request says all that its approval grants (outside attack 3 on issue 20): an account
changed while inactive is never reactivated under a summary reading « réactivation »
alone; every summary and event names its author the same way (« par … »)."""

from __future__ import annotations

import uuid
from types import ModuleType
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.enums import RequestStatus, Role
from crm_core.agents.models import Agent, AgentRequest
from tests.crm_core.agents.conftest import activate, events_of


def _patch(client: TestClient, staff: dict[str, Any], agent_id: Any, **change: Any) -> Any:
    response = client.patch(f"/api/v1/agents/{agent_id}", headers=staff["admin"], json=change)
    assert response.status_code == 200, response.text
    return response.json()


def _request(db_session: Session, request_id: str) -> AgentRequest:
    db_session.expire_all()
    request = db_session.get(AgentRequest, uuid.UUID(request_id))
    assert request is not None
    return request


def test_a_never_active_account_changed_keeps_one_creation_request_saying_all(
    client: TestClient, staff: dict[str, Any], db_session: Session,
) -> None:
    """Promoted while inactive, the account became a supervisor at once, then
    « réactivation ; mot de passe défini… » was all the approver read."""
    created = client.post("/api/v1/agents", headers=staff["admin"], json={
        "username": "evil1", "display_name": "Évelyne", "role": "counter",
        "site_code": "hdv"}).json()
    creation = created["pending_request_id"]
    assert _request(db_session, creation).summary == (
        "Compte « Évelyne » créé (jamais activé) : rôle agent d'accueil, site hdv")
    promoted = _patch(client, staff, created["id"], role="supervisor")
    assert promoted["active"] is False and promoted["pending_request_id"] != creation
    expected = "Compte « Évelyne » créé (jamais activé) : rôle responsable d'accueil, site hdv"
    assert _request(db_session, promoted["pending_request_id"]).summary == expected
    assert _request(db_session, creation).status is RequestStatus.SUPERSEDED
    asked = _patch(client, staff, created["id"], active=True)["pending_request_id"]
    assert _request(db_session, asked).summary == expected
    approved = client.post(f"/api/v1/agents/requests/{asked}/approve", headers=staff["chef"])
    assert approved.status_code == 200, approved.text
    details = [e.detail for e in events_of(db_session, "evil1")]
    assert f"Demande de admin validée : {expected} (par chef)" in details
    evil = activate(client, "evil1", approved.json()["activation_code"])
    assert client.get("/api/v1/auth/me", headers=evil).json()["role"] == "supervisor"


def test_a_deactivated_account_is_widened_only_with_its_reactivation(
    client: TestClient, staff: dict[str, Any], factories: ModuleType, db_session: Session,
) -> None:
    marie: Agent = factories.AgentFactory(username="marie", role=Role.COUNTER,
                                          site=staff["site"])
    db_session.commit()
    _patch(client, staff, marie.id, active=False)
    promoted = _patch(client, staff, marie.id, role="supervisor")
    assert (promoted["role"], promoted["active"]) == ("counter", False)
    assert _request(db_session, promoted["pending_request_id"]).summary == (
        "réactivation ; rôle agent d'accueil → responsable d'accueil")
    narrowed = _patch(client, staff, marie.id, role="admin")  # taking away: at once
    assert (narrowed["role"], narrowed["pending_request_id"]) == ("admin", None)
    back = _patch(client, staff, marie.id, active=True, role="counter")
    assert _request(db_session, back["pending_request_id"]).summary == (
        "réactivation ; rôle administrateur → agent d'accueil")


def test_a_held_reset_names_its_author_like_every_summary(
    client: TestClient, staff: dict[str, Any], factories: ModuleType, db_session: Session,
) -> None:
    accueil: Agent = factories.AgentFactory(username="accueil", role=Role.COUNTER,
                                            site=staff["site"])
    db_session.commit()
    held = client.post(f"/api/v1/agents/{accueil.id}/password", headers=staff["admin"]).json()
    said = "mot de passe réinitialisé par admin : un code d'activation est remis au " \
        "responsable qui valide"
    assert _request(db_session, held["pending_request_id"]).summary == said
    assert [e.detail for e in events_of(db_session, "accueil")] == [
        f"{said} : en attente de validation par un responsable (par admin)"]
