from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.agents.enums import Role
from crm_core.cases.models import Case
from crm_core.consent.service import set_consent
from crm_core.interactions.models import Interaction
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from tests.crm_core.conftest import sign_in
from tests.crm_core.telephony.conftest import PostEvent


def _phone_agent(
    client: TestClient, factories: ModuleType, extension: str = "201"
) -> dict[str, str]:
    agent = factories.AgentFactory(role=Role.PHONE, phone_extension=extension)
    return sign_in(client, agent.username)


def test_log_a_call_with_a_new_case_on_the_timeline(
    client: TestClient, post_event: PostEvent, db_session: Session, factories: ModuleType
) -> None:
    headers = _phone_agent(client, factories)
    service = factories.ServiceFactory(code="dechets")
    point = factories.ContactPointFactory(value="+33612345678")
    call = post_event("newCall", "log-1", user=["201"]).json()["call"]
    post_event("answer", "log-1", user=["201"])
    post_event("hangup", "log-1")
    body = {"resident_id": str(point.resident.id), "reason": "Bac à ordures cassé",
            "outcome": "informed",
            "new_case": {"service_code": service.code, "subject": "Remplacement du bac"}}
    response = client.post(f"/api/v1/telephony/calls/{call}/log", json=body, headers=headers)
    assert response.status_code == 201, response.text
    logged = response.json()
    interaction = db_session.get(Interaction, uuid.UUID(logged["interaction_id"]))
    assert interaction is not None
    assert (interaction.channel.value, interaction.outcome.value, interaction.note) == (
        "phone", "case_opened", "Bac à ordures cassé")
    started = datetime.fromisoformat(logged["call"]["started_at"])
    assert interaction.occurred_at == started
    assert interaction.ended_at is not None
    case = db_session.scalar(select(Case).where(Case.reference == logged["case_reference"]))
    assert case is not None
    assert (case.origin_channel.value, interaction.case_id) == ("phone", case.id)
    # A retry is harmless; logging the same call on someone else's file is refused.
    again = client.post(f"/api/v1/telephony/calls/{call}/log", json=body, headers=headers)
    assert again.json()["interaction_id"] == logged["interaction_id"]
    other = factories.ResidentFactory()
    body["resident_id"] = str(other.id)
    refused = client.post(f"/api/v1/telephony/calls/{call}/log", json=body, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "call_already_logged")
    today = client.get("/api/v1/telephony/calls", headers=headers).json()
    assert [c["id"] for c in today] == [call]
    assert today[0]["interaction_id"] == logged["interaction_id"]


def test_log_errors_are_problems(
    client: TestClient, post_event: PostEvent, factories: ModuleType
) -> None:
    headers = _phone_agent(client, factories)
    resident = factories.ResidentFactory()
    missing = client.post(
        "/api/v1/telephony/calls/00000000-0000-0000-0000-000000000000/log",
        json={"resident_id": str(resident.id), "reason": "x", "outcome": "informed"},
        headers=headers,
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "call_not_found")
    call = post_event("newCall", "log-2", user=["201"]).json()["call"]
    both = client.post(
        f"/api/v1/telephony/calls/{call}/log", headers=headers,
        json={"resident_id": str(resident.id), "reason": "x", "outcome": "informed",
              "case_reference": "7K4M-2XA", "new_case": {"service_code": "a", "subject": "b"}},
    )
    assert both.status_code == 422
    assert "pas les deux" in both.json()["detail"]


def test_callbacks_create_list_due_and_done(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    headers = _phone_agent(client, factories)
    resident = factories.ResidentFactory()
    # A resident who accepts calls (the call-back of one who refused: test_callbacks_api).
    factories.ContactPointFactory(resident=resident, value="+33612345678")
    set_consent(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                purpose=ConsentPurpose.CONTACT_PHONE, granted=True,
                source=ConsentSource.RESIDENT)
    soon = datetime.now(UTC) + timedelta(seconds=1)
    later = datetime.now(UTC) + timedelta(days=1)
    created = [
        client.post("/api/v1/telephony/callbacks", headers=headers, json={
            "phone": phone, "due_at": due.isoformat(), "reason": reason,
            "resident_id": str(resident.id)})
        for phone, due, reason in (("06 12 34 56 78", soon, "Rappeler pour l'acte"),
                                   ("0299001122", later, "Confirmer le rendez-vous"))
    ]
    assert [r.status_code for r in created] == [201, 201], created[0].text
    assert created[0].json()["phone_display"] == "06 12 34 56 78"
    pending = client.get("/api/v1/telephony/callbacks", headers=headers).json()
    assert [c["reason"] for c in pending] == ["Rappeler pour l'acte", "Confirmer le rendez-vous"]
    import time

    time.sleep(1.1)
    due = client.get("/api/v1/telephony/callbacks?due=true", headers=headers).json()
    assert [c["reason"] for c in due] == ["Rappeler pour l'acte"]
    assert due[0]["overdue"] is True
    done = client.post(f"/api/v1/telephony/callbacks/{due[0]['id']}/done", headers=headers,
                       json={"note": "Rappelée, acte envoyé"})
    assert done.json()["status"] == "done"
    assert client.get("/api/v1/telephony/callbacks?due=true", headers=headers).json() == []
    colleague = _phone_agent(client, factories, "202")
    assert client.get("/api/v1/telephony/callbacks", headers=colleague).json() == []


def test_bad_callbacks_are_refused(client: TestClient, factories: ModuleType) -> None:
    headers = _phone_agent(client, factories)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    for body, field in (({"phone": "06 12 34 56 78", "due_at": past, "reason": "x"}, "due_at"),
                        ({"phone": "12", "due_at": datetime.now(UTC).isoformat(),
                          "reason": "x"}, "phone"),
                        ({"phone": "0612345678", "due_at": "2026-01-01T10:00:00",
                          "reason": "x"}, "due_at")):
        response = client.post("/api/v1/telephony/callbacks", headers=headers, json=body)
        assert response.status_code == 422, response.text
        assert field in response.text
    unknown = client.post(
        "/api/v1/telephony/callbacks/00000000-0000-0000-0000-000000000000/done", headers=headers
    )
    assert unknown.status_code == 404


def test_a_call_is_read_or_logged_only_by_whom_it_rang_for(
    client: TestClient, post_event: PostEvent, db_session: Session, factories: ModuleType
) -> None:
    """Someone else's call answers 404 by id, as an id naming nothing (a 403 would confirm
    that it exists); reading one's own is an access-log row of the caller's file."""
    from crm_core.privacy.models import AccessLog

    mine = _phone_agent(client, factories, "201")
    colleague = _phone_agent(client, factories, "202")
    point = factories.ContactPointFactory(value="+33612345670")
    db_session.commit()
    call = post_event("newCall", "own-1", from_="0612345670", user=["201"]).json()["call"]
    for method, path, body in (("GET", f"/api/v1/telephony/calls/{call}", None),
                               ("POST", f"/api/v1/telephony/calls/{call}/log", {
                                   "resident_id": str(point.resident_id), "reason": "Question",
                                   "outcome": "informed"})):
        refused = client.request(method, path, headers=colleague, json=body)
        assert refused.status_code == 404, refused.text
        assert refused.json()["code"] == "call_not_found"
    assert client.get(f"/api/v1/telephony/calls/{call}", headers=mine).status_code == 200
    reads = db_session.scalars(select(AccessLog).where(
        AccessLog.resident_id == point.resident_id, AccessLog.operation == "read_call")).all()
    assert len(reads) == 1


def test_a_call_log_reason_with_a_terminal_escape_is_refused_in_french(
    client: TestClient, post_event: PostEvent, db_session: Session, factories: ModuleType
) -> None:
    headers = _phone_agent(client, factories)
    resident = factories.ResidentFactory()
    call = post_event("newCall", "log-esc", user=["201"]).json()["call"]
    post_event("hangup", "log-esc")
    answer = client.post(f"/api/v1/telephony/calls/{call}/log", headers=headers, json={
        "resident_id": str(resident.id), "reason": "Appel\x1b]0;pirate\x07", "outcome": "informed"})
    assert answer.status_code == 422, answer.text
    assert "U+001B (échappement)" in answer.json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(Interaction)) == 0


def test_a_second_log_with_other_content_is_refused_not_dropped(
    client: TestClient, post_event: PostEvent, factories: ModuleType
) -> None:
    """Outside test after issue 20: a 201 with the first log, the new content lost."""
    headers = _phone_agent(client, factories)
    service = factories.ServiceFactory(code="dechets")
    point = factories.ContactPointFactory(value="+33612345678")
    call = post_event("newCall", "log-2", user=["201"]).json()["call"]
    post_event("hangup", "log-2")
    body = {"resident_id": str(point.resident.id), "reason": "Bac à ordures cassé",
            "outcome": "informed",
            "new_case": {"service_code": service.code, "subject": "Remplacement du bac"}}
    path = f"/api/v1/telephony/calls/{call}/log"
    first = client.post(path, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert client.post(path, json=body, headers=headers).json() == first.json()  # a retry
    for change in ({"reason": "Autre motif"}, {"outcome": "redirected"},
                   {"new_case": {"service_code": service.code, "subject": "Autre"}},
                   {"new_case": None}):
        refused = client.post(path, json=body | change, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (409, "call_already_logged")
        assert "déjà consigné" in refused.json()["detail"], change


def test_a_second_done_with_other_content_is_refused_not_dropped(
    client: TestClient, factories: ModuleType
) -> None:
    headers = _phone_agent(client, factories)
    created = client.post("/api/v1/telephony/callbacks", headers=headers, json={
        "phone": "02 99 00 11 22", "reason": "Confirmer le rendez-vous",
        "due_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}).json()
    path = f"/api/v1/telephony/callbacks/{created['id']}/done"
    first = client.post(path, headers=headers, json={"note": "Rendez-vous confirmé"})
    assert first.status_code == 200, first.text
    again = client.post(path, headers=headers, json={"note": "Rendez-vous confirmé"})
    assert again.json() == first.json()  # a retry
    for other in ({"note": "Pas de réponse"}, {"note": "Rendez-vous confirmé", "cancelled": True}):
        refused = client.post(path, headers=headers, json=other)
        assert (refused.status_code, refused.json()["code"]) == (409, "callback_already_done")
        assert "déjà consigné" in refused.json()["detail"]
