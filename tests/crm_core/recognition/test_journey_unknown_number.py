"""Journey 3 of the mission: an unknown number calls; the agent types the name as heard
and the birth date, finds the resident, and links the number with their agreement."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.models import AccessLog
from crm_core.residents.models import AccountLink, ContactPoint, Resident

Headers = Callable[[Role], dict[str, str]]


def test_unknown_caller_found_by_name_then_linked(
    client: TestClient, as_role: Headers, people: dict[str, Resident], db_session: Session
) -> None:
    phone = as_role(Role.PHONE)
    unknown = client.get("/api/v1/lookup", params={"phone": "07 61 23 45 67"}, headers=phone)
    assert unknown.status_code == 404

    found = client.get("/api/v1/residents/search",
                       params={"q": "camile durant", "birth_date": "1984-03-12"}, headers=phone)
    resident_id = found.json()["results"][0]["resident_id"]
    assert resident_id == str(people["Camille Durand"].id)

    linked = client.post(
        f"/api/v1/residents/{resident_id}/contact-points", headers=phone,
        json={"kind": "phone", "value": "07 61 23 45 67", "contact_allowed": True,
              "channel": "phone", "label": "mobile"},
    )
    assert linked.status_code == 201, linked.text
    assert linked.json()["contact_allowed"] is True
    point = db_session.get(ContactPoint, uuid.UUID(linked.json()["id"]))
    assert point is not None and point.source_channel == "phone"
    assert point.created_by_agent_id is not None

    known = client.get("/api/v1/lookup", params={"phone": "0761234567"}, headers=phone)
    assert known.json()["resident"]["id"] == resident_id
    # The new number is searchable too, by its last digits.
    by_digits = client.get("/api/v1/residents/search", params={"q": "45 67"}, headers=phone)
    assert [r["resident_id"] for r in by_digits.json()["results"]] == [resident_id]

    account = client.post(
        f"/api/v1/residents/{resident_id}/account-links", headers=phone,
        json={"provider": "compte-citoyen", "subject": "a1b2c3", "channel": "phone"},
    )
    assert account.status_code == 201, account.text
    assert account.json()["source_channel"] == "phone"
    link = db_session.scalar(select(AccountLink).where(AccountLink.subject == "a1b2c3"))
    assert link is not None and link.created_by_agent_id is not None

    logged = db_session.scalars(select(AccessLog.operation).where(
        AccessLog.resident_id == people["Camille Durand"].id)).all()
    assert AccessOperation.ADD_CONTACT_POINT in logged
    assert AccessOperation.LINK_ACCOUNT in logged
