from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role
from crm_core.database.base import utcnow
from crm_core.queue import service
from crm_core.queue.enums import TicketStatus
from crm_core.queue.models import QueueTicket
from tests.crm_core.conftest import sign_in


@pytest.fixture
def site_agents(client: TestClient, factories: ModuleType) -> tuple[dict[str, str], ...]:
    site = factories.SiteFactory()
    factories.ServiceFactory(code="etat-civil", label="État civil")
    factories.ServiceFactory(code="urbanisme", label="Urbanisme")
    first = factories.AgentFactory(site=site, role=Role.COUNTER)
    second = factories.AgentFactory(site=site, role=Role.COUNTER)
    return sign_in(client, first.username), sign_in(client, second.username)


def test_tickets_are_numbered_called_in_order_and_served(
    client: TestClient, site_agents: tuple[dict[str, str], ...], factories: ModuleType,
    db_session: Session,
) -> None:
    alice, bob = site_agents
    resident = factories.ResidentFactory()
    issued = [
        client.post("/api/v1/queue/tickets", headers=alice,
                    json={"service_code": code, **extra}).json()
        for code, extra in (("etat-civil", {"resident_id": str(resident.id)}),
                            ("urbanisme", {}), ("etat-civil", {}))
    ]
    assert [t["number"] for t in issued] == [1, 2, 3]
    assert issued[0]["display_number"] == "001"
    assert issued[1]["service_label"] == "Urbanisme"
    waiting = client.get("/api/v1/queue/tickets", headers=bob, params={"status": "waiting"})
    assert [t["number"] for t in waiting.json()] == [1, 2, 3]

    first = client.post("/api/v1/queue/call-next", headers=alice).json()
    second = client.post("/api/v1/queue/call-next", headers=bob,
                         json={"service_code": "etat-civil"}).json()
    assert (first["number"], first["status"], first["resident_id"]) == (
        1, "called", str(resident.id))
    assert first["wait_seconds"] is not None
    assert second["number"] == 3  # the urbanisme ticket waits for its own service

    served = client.post(f"/api/v1/queue/tickets/{first['id']}/serve", headers=alice)
    assert served.status_code == 200, served.text
    assert served.json()["status"] == "served"
    stored = db_session.get(QueueTicket, uuid.UUID(served.json()["id"]))
    assert stored is not None
    assert stored.served_at is not None and stored.service_seconds is not None

    again = client.post(f"/api/v1/queue/tickets/{first['id']}/serve", headers=alice)
    assert again.status_code == 409
    assert again.json()["code"] == "ticket_state"
    assert "001" in again.json()["detail"]


def test_call_next_on_an_empty_queue_is_a_clear_404(
    client: TestClient, site_agents: tuple[dict[str, str], ...]
) -> None:
    response = client.post("/api/v1/queue/call-next", headers=site_agents[0])
    assert response.status_code == 404
    assert response.json()["code"] == "queue_empty"
    assert response.json()["detail"] == "Personne n'attend dans la file"


def test_bad_inputs_are_problems(
    client: TestClient, site_agents: tuple[dict[str, str], ...], as_role: object
) -> None:
    alice = site_agents[0]
    unknown = client.post("/api/v1/queue/tickets", headers=alice, json={"service_code": "x"})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "service_not_found"
    missing = client.post(
        "/api/v1/queue/tickets/00000000-0000-0000-0000-000000000000/serve", headers=alice
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "ticket_not_found"
    extra = client.post("/api/v1/queue/tickets", headers=alice,
                        json={"service_code": "etat-civil", "colour": "red"})
    assert extra.status_code == 422
    admin = as_role(Role.ADMIN)  # type: ignore[operator]
    refused = client.post("/api/v1/queue/call-next", headers=admin)
    assert refused.status_code == 403


def test_numbers_restart_each_day_and_times_are_stored(
    db_session: Session, factories: ModuleType
) -> None:
    agent = factories.AgentFactory()
    factories.ServiceFactory(code="social", label="CCAS")
    actor = Actor(username=agent.username, agent_id=agent.id, role=Role.COUNTER,
                  site_id=agent.site_id)
    # All within one local day, in the past, whatever the hour the suite runs at: noon
    # of today, or of yesterday before 12:30 (a run just after midnight crossed days).
    paris = ZoneInfo("Europe/Paris")
    local_now = utcnow().astimezone(paris)
    day = local_now.date() - timedelta(days=0 if local_now.hour >= 13 else 1)
    issued_at = datetime.combine(day, time(12, 0), paris).astimezone(UTC)
    old = service.issue_ticket(db_session=db_session, actor=actor, service_code="social",
                               at=issued_at - timedelta(days=1), timezone="Europe/Paris")
    today = service.issue_ticket(db_session=db_session, actor=actor, service_code="social",
                                 at=issued_at, timezone="Europe/Paris")
    assert (old.number, today.number) == (1, 1)
    called = service.call_next(db_session=db_session, actor=actor,
                               at=issued_at + timedelta(minutes=10), timezone="Europe/Paris")
    assert called.id == today.id  # yesterday's ticket is not in today's queue
    assert called.wait_seconds == 600
    served = service.serve(db_session=db_session, actor=actor, ticket_id=called.id,
                           at=issued_at + timedelta(minutes=15))
    assert served.service_seconds == 300
    assert served.status is TicketStatus.SERVED
