"""A request's description and a status note are free texts: several lines, but no
control or direction override character; refused in French, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.cases.models import Case, CaseStatusChange

Headers = Callable[[Role], dict[str, str]]


def _open(client: TestClient, as_role: Headers, resident_id: str, description: str) -> Any:
    return client.post("/api/v1/cases", headers=as_role(Role.PHONE), json={
        "resident_id": resident_id, "service_code": "voirie", "channel": "phone",
        "subject": "Nid-de-poule", "description": description})


def test_a_description_with_an_override_is_refused_and_line_ends_are_made_plain(
    client: TestClient, as_role: Headers, db_session: Session, factories: ModuleType
) -> None:
    factories.ServiceFactory(code="voirie", label="Voirie", announced_delay_days=7)
    resident = factories.ResidentFactory()
    db_session.commit()
    refused = _open(client, as_role, str(resident.id), "Rue\u202e 12 ud")
    assert refused.status_code == 422, refused.text
    assert ("caractère U+202E (inversion du sens d'écriture) refusé"
            in refused.json()["detail"])
    assert db_session.scalar(select(func.count()).select_from(Case)) == 0
    taken = _open(client, as_role, str(resident.id), "Trou profond\r\ndevant le n° 12")
    assert taken.status_code == 201, taken.text
    assert db_session.scalar(select(Case.description)) == "Trou profond\ndevant le n° 12"


def test_a_status_note_with_an_escape_sequence_is_refused(
    client: TestClient, as_role: Headers, db_session: Session, factories: ModuleType
) -> None:
    case = factories.CaseFactory()
    db_session.commit()
    before = db_session.scalar(select(func.count()).select_from(CaseStatusChange))
    answer = client.patch(f"/api/v1/cases/{case.reference}", headers=as_role(Role.SUPERVISOR),
                          json={"status": "in_progress", "note": "Vu\x1b[31m rouge"})
    assert answer.status_code == 422, answer.text
    assert "U+001B (échappement)" in answer.json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(CaseStatusChange)) == before
