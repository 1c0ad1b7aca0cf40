from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.privacy.models import AccessLog
from crm_core.residents.models import ContactPoint, Resident
from tests.support import clock
from tests.support.clock import PARIS

Headers = Callable[[Role], dict[str, str]]


def _count(db_session: Session, model: Any) -> int:
    return int(db_session.scalar(select(func.count()).select_from(model)) or 0)


def test_create_resident_folds_keys_and_normalises_contacts(
    client: TestClient, db_session: Session, as_role: Headers
) -> None:
    response = client.post(
        "/api/v1/residents", headers=as_role(Role.COUNTER),
        json={"given_name": "  Élodie ", "family_name": "N'Diaye-Lefèvre",
              "birth_date": "1990-07-01", "insee_code": "35238",
              "phones": ["06 12 34 56 78", {"number": "+33612345678", "label": "mobile"},
                         {"number": "02 99 00 11 22", "contact_allowed": True}],
              "emails": [{"address": "Elodie@Exemple.fr", "contact_allowed": True}]},
    )
    assert response.status_code == 201, response.text
    resident = db_session.get(Resident, uuid.UUID(response.json()["id"]))
    assert resident is not None
    assert (resident.given_name, resident.given_name_key) == ("Élodie", "elodie")
    assert resident.family_name_key == "n diaye lefevre"
    values = sorted(p.value for p in resident.contact_points)
    assert values == ["+33299001122", "+33612345678", "elodie@exemple.fr"]


BAD_RESIDENTS = [
    ({"given_name": "A", "family_name": "B", "phones": ["12"]}, "phone"),
    ({"given_name": "A", "family_name": "B", "emails": ["nope"]}, "e-mail"),
    ({"given_name": "A", "family_name": "B", "birth_date": "1990-13-45"}, "birth_date"),
    ({"given_name": "A", "family_name": "B", "birth_date": "2999-01-01"}, "birth_date"),
    ({"given_name": "", "family_name": "B"}, "given_name"),
    ({"given_name": "A" * 101, "family_name": "B"}, "given_name"),
    ({"given_name": "A", "family_name": "B", "insee_code": "7501"}, "insee_code"),
    ({"given_name": "A", "family_name": "B", "nickname": "x"}, "nickname"),
    ({"given_name": "---", "family_name": "B"}, "lettres"),
    ({"family_name": "B"}, "given_name"),
]


@pytest.mark.parametrize(("payload", "mentions"), BAD_RESIDENTS)
def test_bad_resident_input_is_a_clear_problem_and_writes_nothing(
    client: TestClient, db_session: Session, as_role: Headers, payload: dict[str, Any],
    mentions: str,
) -> None:
    headers = as_role(Role.COUNTER)
    before = (_count(db_session, Resident), _count(db_session, ContactPoint))
    response = client.post("/api/v1/residents", headers=headers, json=payload)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert mentions in response.text
    assert (_count(db_session, Resident), _count(db_session, ContactPoint)) == before


def test_a_birth_on_the_citys_today_is_accepted_whatever_the_servers_date(
    client: TestClient, as_role: Headers
) -> None:
    # 00:20 on New Year's Day in Paris; still 31 December on a server kept in California.
    with clock.machine_in("America/Los_Angeles", datetime(2027, 1, 1, 0, 20, tzinfo=PARIS)):
        headers = as_role(Role.COUNTER)
        newborn = {"given_name": "Léa", "family_name": "Martin"}
        born_today = client.post("/api/v1/residents", headers=headers,
                                 json=newborn | {"birth_date": "2027-01-01"})
        assert born_today.status_code == 201, born_today.text
        tomorrow = client.post("/api/v1/residents", headers=headers,
                               json=newborn | {"birth_date": "2027-01-02"})
        assert tomorrow.status_code == 422, tomorrow.text


def test_malformed_json_and_wrong_types(client: TestClient, as_role: Headers) -> None:
    headers = as_role(Role.COUNTER) | {"content-type": "application/json"}
    assert client.post("/api/v1/residents", headers=headers, content=b"{oops").status_code == 422
    assert client.post("/api/v1/residents", headers=headers, content=b"[]").status_code == 422
    oversized = b'{"given_name": "' + b"a" * 2_000_000 + b'"}'
    response = client.post("/api/v1/residents", headers=headers, content=oversized)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_unknown_and_malformed_ids(client: TestClient, as_role: Headers) -> None:
    headers = as_role(Role.COUNTER)
    missing = client.get(
        "/api/v1/residents/00000000-0000-4000-8000-000000000000/summary", headers=headers
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "resident_not_found"
    assert client.get("/api/v1/residents/not-a-uuid/summary", headers=headers).status_code == 422
    assert client.get("/api/v1/nowhere", headers=headers).status_code == 404


def test_summary_is_logged_in_the_access_log(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    agent = factories.AgentFactory(role=Role.PHONE)
    resident = factories.ResidentFactory()
    from tests.crm_core.conftest import sign_in

    headers = sign_in(client, agent.username)
    client.get(f"/api/v1/residents/{resident.id}/summary", headers=headers)
    row = db_session.scalars(
        select(AccessLog).where(AccessLog.resident_id == resident.id)
    ).one()
    assert (row.agent_id, row.operation, row.site_id) == (
        agent.id, "read_summary", agent.site_id,
    )
    assert row.channel == "phone"
    assert row.occurred_at.tzinfo is not None


def test_summary_flags_and_limits(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    resident = factories.ResidentFactory()
    factories.ContactPointFactory(resident=resident, contact_allowed=False)
    for _ in range(25):
        factories.InteractionFactory(resident=resident)
    factories.CaseFactory(resident=resident, status="waiting_resident")
    factories.CaseFactory(resident=resident, status="closed")
    summary = client.get(
        f"/api/v1/residents/{resident.id}/summary", headers=as_role(Role.COUNTER)
    ).json()
    assert len(summary["recent_interactions"]) == 20
    assert len(summary["open_cases"]) == 1
    assert {"no_phone_contact", "no_email_contact", "waiting_for_resident"} <= set(
        summary["flags"]
    )
    assert summary["contact_points"][0]["display"].startswith("06")


def test_add_contact_point_and_link_account(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    headers = as_role(Role.PHONE)
    resident = factories.ResidentFactory()
    other = factories.ResidentFactory(given_name="Jean")
    added = client.post(
        f"/api/v1/residents/{resident.id}/contact-points", headers=headers,
        json={"kind": "phone", "value": "07 81 23 45 67", "contact_allowed": True},
    )
    assert added.status_code == 201, added.text
    assert added.json()["value"] == "+33781234567"
    again = client.post(
        f"/api/v1/residents/{resident.id}/contact-points", headers=headers,
        json={"kind": "phone", "value": "+33781234567", "contact_allowed": False},
    )
    assert again.json()["id"] == added.json()["id"]
    assert again.json()["contact_allowed"] is False
    link = {"provider": "compte-unique", "subject": "a1b2c3"}
    assert client.post(
        f"/api/v1/residents/{resident.id}/account-links", headers=headers, json=link
    ).status_code == 201
    taken = client.post(
        f"/api/v1/residents/{other.id}/account-links", headers=headers, json=link
    )
    assert taken.status_code == 409
    found = client.get(
        "/api/v1/lookup", params={"account": "compte-unique:a1b2c3"}, headers=headers
    )
    assert found.json()["resident"]["id"] == str(resident.id)


def test_patch_resident_refolds_names(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    resident = factories.ResidentFactory()
    response = client.patch(
        f"/api/v1/residents/{resident.id}", headers=as_role(Role.COUNTER),
        json={"family_name": "Lefèbvre", "city": "Rennes"},
    )
    assert response.status_code == 200, response.text
    db_session.refresh(resident)
    assert (resident.family_name_key, resident.city) == ("lefebvre", "Rennes")
