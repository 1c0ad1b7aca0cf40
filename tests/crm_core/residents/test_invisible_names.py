"""Names made only of invisible or control characters, or holding a direction override,
are refused in French wherever a name comes in (the API, the connectors' events, the
service that every path ends in); nothing is written."""

from __future__ import annotations

from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.residents.models import Resident
from crm_core.text import name_problem
from integrations.inbound.schemas import EventResident

BAD = {
    "override": "Martin\u202enitraM",  # reads as another name
    "isolate": "\u2067Durand\u2069",
    "invisible only": "\u200b\u200b",
    "control only": "\u0007\u0008",
    "soft hyphen only": "\u00ad",
}


@pytest.mark.parametrize("name", BAD.values(), ids=BAD.keys())
def test_the_api_refuses_the_name_in_french(
    name: str, client: TestClient, as_role: object, db_session: Session, factories: ModuleType
) -> None:
    headers = as_role(Role.COUNTER)  # type: ignore[operator]
    before = db_session.scalar(select(func.count()).select_from(Resident))
    answer = client.post("/api/v1/residents", headers=headers, json={
        "given_name": "Léa", "family_name": name, "channel": "counter"})
    assert answer.status_code == 422, answer.text
    assert "nom" in answer.json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(Resident)) == before
    resident = factories.ResidentFactory()
    db_session.commit()
    changed = client.patch(f"/api/v1/residents/{resident.id}", headers=headers,
                           json={"birth_name": name})
    assert changed.status_code == 422


@pytest.mark.parametrize("name", BAD.values(), ids=BAD.keys())
def test_a_platforms_event_is_refused_too(name: str) -> None:
    with pytest.raises(ValidationError, match="nom"):
        EventResident.model_validate({"given_name": name, "family_name": "Durand"})


def test_real_names_pass() -> None:
    for name in ("N'Diaye-Lefèvre", "Ørsted", "Nguyễn", "محمد", "می\u200cخواهم", "O'Brien"):
        assert name_problem(name) is None, name
