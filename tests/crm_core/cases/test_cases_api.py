from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.agents.enums import Role
from crm_core.cases import service
from crm_core.cases.models import Case, CaseStatusChange
from crm_core.cases.schemas import CaseCreate
from crm_core.exceptions import Conflict
from crm_core.interactions.models import Interaction
from tests.support.clock import city_zone

Headers = Callable[[Role], dict[str, str]]


def _open(client: TestClient, headers: dict[str, str], resident_id: object, **extra: object):  # type: ignore[no-untyped-def]
    payload = {"resident_id": str(resident_id), "service_code": "voirie", "channel": "phone",
               "kind": "complaint", "subject": "Nid-de-poule rue de Brest"} | extra
    return client.post("/api/v1/cases", headers=headers, json=payload)


@pytest.fixture
def voirie(factories: ModuleType) -> object:
    return factories.ServiceFactory(code="voirie", label="Voirie", announced_delay_days=7)


@pytest.mark.usefixtures("voirie")
def test_case_gets_due_date_history_and_interaction(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    resident = factories.ResidentFactory()
    response = _open(client, as_role(Role.PHONE), resident.id)
    assert response.status_code == 201, response.text
    body = response.json()
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    assert date.fromisoformat(body["due_date"]) == today + timedelta(days=7)
    assert body["kind"] == "complaint"
    assert body["allowed_transitions"] == ["in_progress", "waiting_resident", "resolved", "closed"]
    assert [h["to_status"] for h in body["history"]] == ["new"]
    interaction = db_session.scalars(
        select(Interaction).where(Interaction.resident_id == resident.id)
    ).one()
    assert (interaction.channel, interaction.outcome) == ("phone", "case_opened")


@pytest.mark.usefixtures("voirie")
def test_full_workflow_with_reopen(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    headers = as_role(Role.COUNTER)
    reference = _open(client, headers, factories.ResidentFactory().id).json()["reference"]
    for status in ("in_progress", "waiting_resident", "resolved", "closed", "in_progress"):
        response = client.patch(
            f"/api/v1/cases/{reference}", headers=headers, json={"status": status}
        )
        assert response.status_code == 200, response.text
    body = response.json()
    assert body["closed_at"] is None and body["resolved_at"] is None
    assert [h["to_status"] for h in body["history"]][-2:] == ["closed", "in_progress"]
    assert all(h["channel"] == "counter" for h in body["history"][1:])


@pytest.mark.usefixtures("voirie")
def test_invalid_transition_is_refused_and_nothing_written(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    headers = as_role(Role.COUNTER)
    reference = _open(client, headers, factories.ResidentFactory().id).json()["reference"]
    before = db_session.scalar(select(func.count()).select_from(Interaction))
    response = client.patch(f"/api/v1/cases/{reference}", headers=headers, json={"status": "new"})
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "invalid_transition"
    assert problem["current"] == "new" and "in_progress" in problem["allowed"]
    assert db_session.scalar(select(func.count()).select_from(Interaction)) == before
    assert client.patch(
        f"/api/v1/cases/{reference}", headers=headers, json={"status": "archived"}
    ).status_code == 422
    assert client.patch(f"/api/v1/cases/{reference}", headers=headers, json={}).status_code == 422


@pytest.mark.usefixtures("voirie")
def test_note_only_update_adds_to_timeline(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    headers = as_role(Role.PHONE)
    created = _open(client, headers, factories.ResidentFactory().id).json()
    response = client.patch(
        f"/api/v1/cases/{created['reference']}", headers=headers,
        json={"note": "Rappel de l'usager", "channel": "email"},
    )
    assert response.json()["status"] == "new"
    notes = db_session.scalars(
        select(Interaction.note).where(Interaction.case_id == uuid.UUID(created["id"]))
    ).all()
    assert "Rappel de l'usager" in notes


@pytest.mark.usefixtures("voirie")
def test_bad_case_input(client: TestClient, factories: ModuleType, as_role: Headers) -> None:
    headers = as_role(Role.COUNTER)
    resident = factories.ResidentFactory()
    unknown_service = _open(client, headers, resident.id, service_code="nope")
    assert unknown_service.status_code == 404
    assert unknown_service.json()["code"] == "service_not_found"
    unknown_resident = _open(client, headers, "00000000-0000-4000-8000-000000000000")
    assert unknown_resident.status_code == 404
    assert _open(client, headers, resident.id, kind="rant").status_code == 422
    assert _open(client, headers, resident.id, channel="pigeon").status_code == 422
    assert _open(client, headers, resident.id, subject="x" * 201).status_code == 422
    assert _open(client, headers, resident.id, external_system="wcs").status_code == 422
    assert client.get("/api/v1/cases/ZZZZ", headers=headers).status_code == 422
    missing = client.get("/api/v1/cases/0000000", headers=headers)
    assert missing.status_code == 404


def test_external_reference_is_unique(
    db_session: Session, factories: ModuleType
) -> None:
    resident = factories.ResidentFactory()
    factories.ServiceFactory(code="urbanisme")
    data = CaseCreate(
        resident_id=resident.id, service_code="urbanisme", channel="web",
        subject="Déclaration préalable", external_system="wcs", external_id="demande-42",
    )
    case = service.open_case(timezone=city_zone(), db_session=db_session, actor=SYSTEM, data=data)
    assert case.origin_channel == "web" and case.opened_by_agent_id is None
    with pytest.raises(Conflict):
        service.open_case(timezone=city_zone(), db_session=db_session, actor=SYSTEM, data=data)
    assert db_session.scalar(
        select(func.count()).select_from(CaseStatusChange).where(
            CaseStatusChange.case_id == case.id
        )
    ) == 1
    assert (db_session.scalar(select(func.count()).select_from(Case)) or 0) >= 1


@pytest.mark.usefixtures("voirie")
def test_opening_with_an_idempotency_key_twice_opens_one_case(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    resident, other = factories.ResidentFactory(), factories.ResidentFactory()
    headers = as_role(Role.COUNTER)
    first = _open(client, headers, resident.id, idempotency_key="journal-0001")
    second = _open(client, headers, resident.id, idempotency_key="journal-0001")
    assert (first.status_code, second.status_code) == (201, 200)  # as /interactions
    assert first.json()["reference"] == second.json()["reference"]
    count = db_session.scalar(
        select(func.count()).select_from(Case).where(Case.resident_id == resident.id)
    )
    assert count == 1
    stolen = _open(client, headers, other.id, idempotency_key="journal-0001")
    assert stolen.status_code == 422
    assert stolen.json()["code"] == "idempotency_key_reused"
    assert "(usager)" in stolen.json()["detail"]


@pytest.mark.usefixtures("voirie")
def test_a_key_reused_with_another_content_is_refused_and_names_the_fields(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    """Outside test: a key sent again with another subject answered 201 with the first
    case, so the client believed the second request recorded."""
    resident = factories.ResidentFactory()
    headers = as_role(Role.COUNTER)
    key = {"idempotency_key": "journal-0002", "description": "Devant le 12"}
    first = _open(client, headers, resident.id, **key)
    assert first.status_code == 201
    # Re-serialised the same (another zone, no channel: the session's) is an honest replay.
    same = _open(client, headers, resident.id, **key, channel=None,
                 subject="  Nid-de-poule rue de Brest ", record_interaction=False,
                 opened_at=datetime.now(ZoneInfo("America/Cayenne")).isoformat())
    assert same.status_code == 200, same.text
    assert same.json()["reference"] == first.json()["reference"]
    other = _open(client, headers, resident.id, **key | {"description": "Devant le 14"},
                  subject="Lampadaire éteint", channel="counter")
    assert other.status_code == 422
    problem = other.json()
    assert problem["code"] == "idempotency_key_reused"
    assert problem["title"] == "Clé d'idempotence déjà utilisée"
    assert "(objet, description, canal)" in problem["detail"]
    assert "Lampadaire" not in problem["detail"] and "14" not in problem["detail"]
    assert db_session.scalar(
        select(func.count()).select_from(Case).where(Case.resident_id == resident.id)) == 1


@pytest.mark.usefixtures("voirie")
def test_a_request_recorded_late_keeps_its_own_time_within_thirty_days(
    client: TestClient, as_role: Headers, factories: ModuleType
) -> None:
    resident = factories.ResidentFactory()
    headers = as_role(Role.COUNTER)
    asked = datetime.now(UTC) - timedelta(hours=3)
    late = _open(client, headers, resident.id, opened_at=asked.isoformat())
    assert late.status_code == 201
    case = late.json()
    assert datetime.fromisoformat(case["opened_at"]) == asked
    assert [datetime.fromisoformat(h["changed_at"]) for h in case["history"]] == [asked]
    for bad in (datetime.now(UTC) - timedelta(days=31), datetime.now(UTC) + timedelta(hours=1)):
        refused = _open(client, headers, resident.id, opened_at=bad.isoformat())
        assert refused.status_code == 422
        assert refused.json()["field"] == "opened_at"
    naive = _open(client, headers, resident.id, opened_at="2026-01-01T10:00:00")
    assert naive.status_code == 422


@pytest.mark.parametrize("hostile", ["Y0JM\u202e0A6", "Y0JM\x1b0A6", "Y0JM\u200b0A6"])
def test_a_hostile_reference_is_named_in_every_answer_never_echoed(
    client: TestClient, factories: ModuleType, as_role: Headers, hostile: str,
) -> None:
    """Third outside look at issue 21: lookup, case and interaction answers echoed it."""
    headers = as_role(Role.COUNTER)
    resident = factories.ResidentFactory()
    answers = [
        client.get("/api/v1/lookup", params={"reference": hostile}, headers=headers),
        client.post("/api/v1/lookup", json={"reference": hostile}, headers=headers),
        client.get(f"/api/v1/cases/{quote(hostile)}", headers=headers),
        client.post("/api/v1/interactions", headers=headers, json={
            "resident_id": str(resident.id), "channel": "counter", "direction": "inbound",
            "outcome": "informed", "case_reference": hostile}),
    ]
    for answer in answers:
        assert answer.status_code in (404, 422), answer.text
        said = answer.text.encode().decode("unicode_escape", errors="ignore")
        assert "U+" in answer.text and "compte 7" not in answer.text, answer.text
        assert hostile[4] not in said, answer.text


@pytest.mark.parametrize("hostile", ["\u202e0612345678", "06\u200b12345678"])
def test_a_hostile_phone_contact_point_is_refused_naming_the_character(
    client: TestClient, factories: ModuleType, as_role: Headers, hostile: str,
) -> None:
    headers = as_role(Role.COUNTER)
    resident = factories.ResidentFactory()
    answer = client.post(f"/api/v1/residents/{resident.id}/contact-points", headers=headers,
                         json={"kind": "phone", "value": hostile})
    assert answer.status_code == 422, answer.text
    assert "U+20" in answer.text and hostile[0:3] not in answer.text
