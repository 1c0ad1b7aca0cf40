from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.interactions.models import Interaction

Headers = Callable[[Role], dict[str, str]]


def test_idempotency_key_records_once(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    headers = as_role(Role.COUNTER)
    resident = factories.ResidentFactory()
    payload = {"resident_id": str(resident.id), "outcome": "informed",
               "note": "Visite hors ligne", "idempotency_key": "counter-1:journal-0001"}
    first = client.post("/api/v1/interactions", headers=headers, json=payload)
    again = client.post("/api/v1/interactions", headers=headers, json=payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["channel"] == "counter"  # the counter agent's own channel
    count = db_session.scalar(
        select(func.count()).select_from(Interaction).where(Interaction.resident_id == resident.id)
    )
    assert count == 1
    other = factories.ResidentFactory()
    stolen = client.post(
        "/api/v1/interactions", headers=headers, json=payload | {"resident_id": str(other.id)}
    )
    assert stolen.status_code == 409


def test_interaction_with_case_of_another_resident_is_refused(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    case = factories.CaseFactory()
    stranger = factories.ResidentFactory()
    response = client.post(
        "/api/v1/interactions", headers=as_role(Role.PHONE),
        json={"resident_id": str(stranger.id), "case_reference": case.reference,
              "outcome": "informed"},
    )
    assert response.status_code == 422
    assert "autre usager" in response.json()["detail"]


def test_times_are_checked(client: TestClient, factories: ModuleType, as_role: Headers) -> None:
    headers = as_role(Role.PHONE)
    resident = factories.ResidentFactory()
    now = datetime.now(UTC)
    base = {"resident_id": str(resident.id), "outcome": "informed"}
    future = client.post("/api/v1/interactions", headers=headers,
                         json=base | {"occurred_at": (now + timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    naive = client.post("/api/v1/interactions", headers=headers,
                        json=base | {"occurred_at": "2026-01-01T10:00:00"})
    assert naive.status_code == 422
    backwards = client.post(
        "/api/v1/interactions", headers=headers,
        json=base | {"occurred_at": now.isoformat(),
                     "ended_at": (now - timedelta(minutes=5)).isoformat()},
    )
    assert backwards.status_code == 422
    call = client.post(
        "/api/v1/interactions", headers=headers,
        json=base | {"occurred_at": (now - timedelta(minutes=7)).isoformat(),
                     "ended_at": now.isoformat(), "direction": "outbound",
                     "outcome": "callback_scheduled"},
    )
    assert call.status_code == 201, call.text
    assert call.json()["channel"] == "phone"


def test_supervisor_without_channel_must_say_it(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    resident = factories.ResidentFactory()
    response = client.post(
        "/api/v1/interactions", headers=as_role(Role.SUPERVISOR),
        json={"resident_id": str(resident.id), "outcome": "informed"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "channel"


def test_timeline_paging(client: TestClient, factories: ModuleType, as_role: Headers) -> None:
    resident = factories.ResidentFactory()
    start = datetime.now(UTC) - timedelta(days=1)
    for minute in range(30):
        factories.InteractionFactory(
            resident=resident, occurred_at=start + timedelta(minutes=minute)
        )
    headers = as_role(Role.COUNTER)
    page = client.get(f"/api/v1/residents/{resident.id}/interactions?limit=25", headers=headers)
    assert len(page.json()) == 25
    oldest = page.json()[-1]["occurred_at"]
    rest = client.get(f"/api/v1/residents/{resident.id}/interactions",
                      params={"before": oldest}, headers=headers)
    assert len(rest.json()) == 5
