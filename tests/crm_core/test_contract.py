"""The API contract of issue 2, walked through as a counter agent would use it."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from fastapi.testclient import TestClient

from crm_core.agents.enums import Role


def test_health(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_counter_agent_walks_the_contract(
    client: TestClient, factories: ModuleType, as_role: Callable[[Role], dict[str, str]]
) -> None:
    factories.ServiceFactory(code="etat-civil", label="État civil", announced_delay_days=15)
    headers = as_role(Role.COUNTER)

    services = client.get("/api/v1/services", headers=headers).json()
    assert {"code": "etat-civil", "label": "État civil", "announced_delay_days": 15} in services

    created = client.post(
        "/api/v1/residents",
        headers=headers,
        json={
            "given_name": "Camille", "family_name": "Durand", "birth_date": "1984-03-12",
            "phones": ["06 12 34 56 78"], "emails": ["Camille.Durand@Exemple.fr"],
        },
    )
    assert created.status_code == 201, created.text
    resident_id = created.json()["id"]

    case = client.post(
        "/api/v1/cases",
        headers=headers,
        json={
            "resident_id": resident_id, "service_code": "etat-civil", "channel": "web",
            "kind": "request", "subject": "Copie intégrale d'acte de naissance",
        },
    )
    assert case.status_code == 201, case.text
    reference = case.json()["reference"]
    assert case.json()["status"] == "new"

    fetched = client.get(f"/api/v1/cases/{reference.lower()}", headers=headers)
    assert fetched.status_code == 200
    assert fetched.json()["origin_channel"] == "web"

    moved = client.patch(
        f"/api/v1/cases/{reference}",
        headers=headers,
        json={"status": "in_progress", "channel": "counter", "note": "Pièces reçues"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "in_progress"

    visit = client.post(
        "/api/v1/interactions",
        headers=headers,
        json={
            "resident_id": resident_id, "case_reference": reference, "channel": "counter",
            "outcome": "informed", "note": "Passage en mairie",
        },
    )
    assert visit.status_code == 201, visit.text

    summary = client.get(f"/api/v1/residents/{resident_id}/summary", headers=headers).json()
    assert summary["resident"]["family_name"] == "Durand"
    assert {p["value"] for p in summary["contact_points"]} == {
        "+33612345678", "camille.durand@exemple.fr",
    }
    assert summary["open_cases"][0]["reference"] == reference
    assert summary["open_cases"][0]["service_code"] == "etat-civil"
    assert summary["open_cases"][0]["origin_channel"] == "web"
    channels = [i["channel"] for i in summary["recent_interactions"]]
    assert channels == ["counter", "counter", "web"]
    assert summary["recent_interactions"][0]["case_reference"] == reference

    for query in (
        {"phone": "+33 6 12 34 56 78"}, {"email": "CAMILLE.durand@exemple.fr"},
        {"reference": f" {reference[:4]} - {reference[4:].lower()} "},
    ):
        found = client.get("/api/v1/lookup", params=query, headers=headers)
        assert found.status_code == 200, (query, found.text)
        assert found.json()["resident"]["id"] == resident_id
