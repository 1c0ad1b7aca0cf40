"""The resident's data export (GDPR art. 15/20): complete, and itself logged."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.models import AccessLog
from tests.support.finds import reread_settings

Headers = Callable[[Role], dict[str, str]]


def _resident_with_history(factories: ModuleType) -> uuid.UUID:
    resident = factories.ResidentFactory(given_name="Gwenaëlle", family_name="Kerbrat")
    factories.ContactPointFactory(resident=resident, value="+33612345678")
    case = factories.CaseFactory(resident=resident, subject="Carte d'identité perdue")
    for i in range(30):
        factories.InteractionFactory(resident=resident, case_id=case.id if i % 2 else None,
                                     note=f"passage n°{i}")
    return resident.id  # type: ignore[no-any-return]


def test_the_export_holds_every_kind_of_data_and_is_logged(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    resident_id = _resident_with_history(factories)
    headers = as_role(Role.COUNTER)
    client.get(f"/api/v1/residents/{resident_id}/summary", headers=headers)
    client.put(f"/api/v1/residents/{resident_id}/consents/reminders", headers=headers,
               json={"granted": True})
    response = client.get(f"/api/v1/residents/{resident_id}/export", headers=headers)
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    document = response.json()
    assert (document["format"], document["version"]) == ("relais.resident-export", 1)
    assert document["resident"]["family_name"] == "Kerbrat"
    assert [p["value"] for p in document["contact_points"]] == ["+33612345678"]
    assert document["cases"][0]["subject"] == "Carte d'identité perdue"
    assert "-" in document["cases"][0]["reference"]
    assert len(document["interactions"]) == 30
    assert sum(1 for i in document["interactions"] if i["case_reference"]) == 15
    reminders = next(c for c in document["consents"] if c["purpose"] == "reminders")
    assert reminders["granted"] and document["consent_history"][0]["granted"]
    seen = [c["operation"] for c in document["consultations"]]
    assert "read_summary" in seen and "update_consent" in seen
    assert all(c["agent_role"] == "counter" and "agent" not in c
               for c in document["consultations"])
    logged = db_session.scalars(select(AccessLog.operation).where(
        AccessLog.resident_id == resident_id))
    assert AccessOperation.EXPORT_DATA in list(logged)


def test_agent_names_are_shown_only_where_the_city_chose_to(
    client: TestClient, factories: ModuleType, as_role: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident_id = _resident_with_history(factories)
    headers = as_role(Role.PHONE)
    client.get(f"/api/v1/residents/{resident_id}/summary", headers=headers)
    monkeypatch.setenv("RELAIS_ACCESS_LOG_SHOWS_AGENT_NAMES", "true")
    reread_settings(client.app)
    document = client.get(f"/api/v1/residents/{resident_id}/export", headers=headers).json()
    assert all(c["agent"].startswith("Agent Dupont") for c in document["consultations"])


def test_export_refusals(client: TestClient, as_role: Headers) -> None:
    unknown = client.get(f"/api/v1/residents/{uuid.uuid4()}/export",
                         headers=as_role(Role.COUNTER))
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    resident = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/api/v1/residents/{resident}/export",
                      headers=as_role(Role.ADMIN)).status_code == 403
    assert client.get("/api/v1/residents/pas-un-id/export",
                      headers=as_role(Role.COUNTER)).status_code == 422
