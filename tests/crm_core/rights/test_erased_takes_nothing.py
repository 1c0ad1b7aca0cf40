"""An erased file takes nothing new, whatever the way in: a call-back kept offline on the
phone desk and sent after the erasure put the resident's number and reason back (outside
test of issue 19)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.cases.models import Case
from crm_core.database.base import utcnow
from crm_core.interactions.models import Interaction
from crm_core.residents.models import AccountLink, ContactPoint
from crm_core.telephony.models import Callback

Headers = Callable[[Role], dict[str, str]]
API = "/api/v1"


@pytest.fixture
def erased(client: TestClient, as_role: Headers) -> str:
    supervisor = as_role(Role.SUPERVISOR)
    created = client.post(f"{API}/residents", headers=supervisor, json={
        "given_name": "Lucas", "family_name": "André", "birth_date": "1975-04-02",
        "phones": ["06 89 07 28 29"]})
    assert created.status_code == 201, created.text
    resident = str(created.json()["id"])
    done = client.post(f"{API}/residents/{resident}/erasure", headers=supervisor,
                       json={"reason": "demande écrite"})
    assert done.status_code == 200, done.text
    return resident


def _writes(resident: str, service: str, bundle: str) -> list[tuple[str, str, dict[str, Any]]]:
    due = (utcnow() + timedelta(hours=2)).isoformat()
    return [
        ("post", "/telephony/callbacks", {"resident_id": resident, "phone": "0689072829",
                                          "due_at": due, "reason": "rappel",
                                          "requested_by_resident": True}),
        ("post", "/interactions", {"resident_id": resident, "channel": "phone",
                                   "direction": "inbound", "outcome": "resolved",
                                   "note": "appel"}),
        ("post", "/cases", {"resident_id": resident, "service_code": service,
                            "channel": "counter", "kind": "request", "subject": "Demande"}),
        ("post", f"/residents/{resident}/contact-points",
         {"kind": "phone", "value": "0689072829"}),
        ("post", f"/residents/{resident}/account-links",
         {"provider": "compte-unique", "subject": "sub-1"}),
        ("patch", f"/residents/{resident}", {"given_name": "Lucas"}),
        ("put", f"/residents/{resident}/consents/contact_phone", {"granted": True}),
        ("post", f"/residents/{resident}/reminders", {"bundle": bundle, "channel": "sms"}),
    ]


def test_an_erased_file_takes_nothing_new(
    client: TestClient, as_role: Headers, db_session: Session, factories: ModuleType,
    erased: str,
) -> None:
    service = factories.ServiceFactory()
    db_session.commit()
    bundle = client.post(f"{API}/reminder-bundles", headers=as_role(Role.ADMIN), json={
        "code": "collecte", "label": "Collecte", "description": "Ramassage des déchets"})
    assert bundle.status_code == 201, bundle.text
    supervisor = as_role(Role.SUPERVISOR)
    for method, path, body in _writes(erased, service.code, "collecte"):
        answer = client.request(method, f"{API}{path}", headers=supervisor, json=body)
        assert answer.status_code == 409, (path, answer.text)
        assert answer.json()["code"] == "resident_erased", (path, answer.text)
        assert "effacé" in answer.json()["detail"]
    resident_id = uuid.UUID(erased)
    for model in (Callback, Interaction, Case, ContactPoint, AccountLink):
        count = db_session.scalar(select(func.count()).select_from(model)
                                  .where(model.resident_id == resident_id))
        assert count == 0, model
