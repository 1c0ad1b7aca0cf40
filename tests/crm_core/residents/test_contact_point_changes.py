"""`PATCH`/`DELETE /residents/{id}/contact-points/{point_id}`: agents record the resident's
"may we contact you here" answer or remove a point; each change is in the access log."""

from __future__ import annotations

import uuid
from types import ModuleType
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.models import AccessLog
from crm_core.residents.models import ContactPoint

API = "/api/v1"


def _log(db_session: Session, resident_id: uuid.UUID) -> list[tuple[Any, Any]]:
    return [(row.operation, row.reason) for row in db_session.scalars(
        select(AccessLog).where(AccessLog.resident_id == resident_id).order_by(AccessLog.id))]


def test_an_agent_changes_the_contact_flag_and_it_is_logged(
    client: TestClient, factories: ModuleType, db_session: Session, as_role: Any
) -> None:
    point = factories.ContactPointFactory(contact_allowed=False, value="+33612345678")
    url = f"{API}/residents/{point.resident_id}/contact-points/{point.id}"
    answer = client.patch(url, headers=as_role(Role.PHONE),
                          json={"contact_allowed": True, "channel": "phone"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["contact_allowed"], body["display"]) == (True, "06 12 34 56 78")
    db_session.refresh(point)
    assert point.contact_allowed is True
    assert _log(db_session, point.resident_id) == [
        (AccessOperation.UPDATE_RESIDENT, "contact_point:update")]


def test_an_agent_removes_a_point(
    client: TestClient, factories: ModuleType, db_session: Session, as_role: Any
) -> None:
    point = factories.ContactPointFactory()
    resident_id, point_id = point.resident_id, point.id
    answer = client.delete(f"{API}/residents/{resident_id}/contact-points/{point_id}",
                           headers=as_role(Role.COUNTER))
    assert answer.status_code == 204
    db_session.expire_all()
    assert db_session.get(ContactPoint, point_id) is None
    assert _log(db_session, resident_id) == [
        (AccessOperation.UPDATE_RESIDENT, "contact_point:remove")]


def test_bad_requests_are_refused(
    client: TestClient, factories: ModuleType, as_role: Any
) -> None:
    point = factories.ContactPointFactory()
    other = factories.ResidentFactory()
    agent = as_role(Role.COUNTER)
    crossed = client.patch(f"{API}/residents/{other.id}/contact-points/{point.id}",
                           headers=agent, json={"contact_allowed": False})
    assert (crossed.status_code, crossed.json()["code"]) == (404, "contact_point_not_found")
    assert client.delete(f"{API}/residents/{other.id}/contact-points/{point.id}",
                         headers=agent).status_code == 404
    assert client.delete(f"{API}/residents/{uuid.uuid4()}/contact-points/{point.id}",
                         headers=agent).status_code == 404
    extra = client.patch(f"{API}/residents/{point.resident_id}/contact-points/{point.id}",
                         headers=agent, json={"value": "+33600000000"})
    assert extra.status_code == 422 and extra.json()["code"] == "invalid_input"
    loose = client.patch(f"{API}/residents/{point.resident_id}/contact-points/{point.id}",
                         headers=agent, json={"contact_allowed": "yes"})  # no JSON boolean
    assert loose.status_code == 422 and "vrai/faux attendu" in loose.text
    assert client.patch(f"{API}/residents/{point.resident_id}/contact-points/{point.id}",
                        headers=as_role(Role.ADMIN),
                        json={"contact_allowed": True}).status_code == 403
    assert client.delete(f"{API}/residents/{point.resident_id}/contact-points/{point.id}"
                         ).status_code == 401
