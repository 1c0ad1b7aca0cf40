"""Call-backs (outside test of issue 20): a call named by its id is one the agent may open,
found as a lookup finds a person; an unknown id is a French 404, never a 500 whose log
quotes the SQL parameters; a resident who refused calls is called back only when they ask."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.agents.enums import Role
from crm_core.consent.service import set_consent
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.telephony.models import Callback
from tests.crm_core.conftest import sign_in
from tests.crm_core.telephony.conftest import PostEvent
from tests.support.finds import limit_finds, lock_out

CALLBACKS = "/api/v1/telephony/callbacks"


def _phone_agent(client: TestClient, factories: ModuleType, extension: str) -> dict[str, str]:
    agent = factories.AgentFactory(role=Role.PHONE, phone_extension=extension)
    return sign_in(client, agent.username)


def _callback(**fields: Any) -> dict[str, Any]:
    due = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    return {"phone": "06 12 34 56 78", "due_at": due, "reason": "Rappeler pour l'acte"} | fields


def _count(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(Callback)) or 0


def test_an_unknown_call_is_a_french_404_and_nothing_personal_is_logged(
    app: FastAPI, client: TestClient, db_session: Session, factories: ModuleType,
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = _phone_agent(client, factories, "201")
    # Raising test client: an exception let through to the server would be logged by it
    # with its text (an IntegrityError quotes the phone number and the reason).
    strict = TestClient(app)
    with caplog.at_level(logging.DEBUG):
        answer = strict.post(CALLBACKS, headers=headers,
                             json=_callback(call=str(uuid.uuid4()), reason="Acte de Mme Durand"))
    assert (answer.status_code, answer.json()["code"]) == (404, "call_not_found"), answer.text
    assert answer.json()["detail"].startswith("Aucun appel")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for personal in ("612345678", "Durand"):
        assert personal not in logged
    assert _count(db_session) == 0


def test_only_a_call_the_agent_may_open_is_named(
    client: TestClient, post_event: PostEvent, db_session: Session, factories: ModuleType
) -> None:
    mine = _phone_agent(client, factories, "201")
    colleague = _phone_agent(client, factories, "202")
    call = post_event("newCall", "cb-own", from_="0612345678", user=["201"]).json()["call"]
    refused = client.post(CALLBACKS, headers=colleague, json=_callback(call=call))
    unknown = client.post(CALLBACKS, headers=colleague, json=_callback(call=str(uuid.uuid4())))
    assert [refused.status_code, unknown.status_code] == [404, 404], refused.text
    assert refused.json()["code"] == unknown.json()["code"] == "call_not_found"
    assert _count(db_session) == 0
    taken = client.post(CALLBACKS, headers=mine, json=_callback(call=call))
    assert taken.status_code == 201, taken.text


def test_a_locked_agent_cannot_open_calls_or_call_backs_by_id(
    client: TestClient, post_event: PostEvent, db_session: Session, factories: ModuleType,
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    limit_finds(monkeypatch, request, misses=2)
    headers = _phone_agent(client, factories, "201")
    call = post_event("newCall", "cb-lock", user=["201"]).json()["call"]
    pending = client.post(CALLBACKS, headers=headers, json=_callback()).json()["id"]
    resident = factories.ResidentFactory()
    db_session.commit()
    lock_out(client, headers, misses=2)
    for method, path, body in (
        ("GET", f"/api/v1/telephony/calls/{call}", None),
        ("POST", f"/api/v1/telephony/calls/{call}/log",
         {"resident_id": str(resident.id), "reason": "Question", "outcome": "informed"}),
        ("POST", CALLBACKS, _callback(call=call)),
        ("POST", f"{CALLBACKS}/{pending}/done", {}),
    ):
        refused = client.request(method, path, headers=headers, json=body)
        assert refused.status_code == 429, (path, refused.text)
    # A call-back naming no call finds nobody: still planned.
    assert client.post(CALLBACKS, headers=headers, json=_callback()).status_code == 201


def test_unknown_call_ids_count_as_lookups_finding_nobody(
    client: TestClient, factories: ModuleType, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    limit_finds(monkeypatch, request, misses=2)
    headers = _phone_agent(client, factories, "201")
    for path in (f"/api/v1/telephony/calls/{uuid.uuid4()}", f"{CALLBACKS}/{uuid.uuid4()}/done"):
        method = "GET" if "calls/" in path else "POST"
        assert client.request(method, path, headers=headers).status_code == 404
    locked = client.get(f"/api/v1/telephony/calls/{uuid.uuid4()}", headers=headers)
    assert locked.status_code == 429, locked.text


def _grant_calls(db_session: Session, resident_id: uuid.UUID) -> None:
    set_consent(db_session=db_session, actor=SYSTEM, resident_id=resident_id,
                purpose=ConsentPurpose.CONTACT_PHONE, granted=True,
                source=ConsentSource.RESIDENT)


def test_a_resident_who_refused_calls_is_called_back_only_at_their_request(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    """Refused by the desk's form only, a call-back could be planned by any other client
    of the API."""
    headers = _phone_agent(client, factories, "201")
    point = factories.ContactPointFactory(value="+33612345678")
    db_session.commit()
    body = _callback(resident_id=str(point.resident_id))
    refused = client.post(CALLBACKS, headers=headers, json=body)  # never said yes to calls
    assert (refused.status_code, refused.json()["code"]) == (422, "calls_refused"), refused.text
    assert "refusé les appels" in refused.json()["detail"]
    assert _count(db_session) == 0
    asked = client.post(CALLBACKS, headers=headers, json=body | {"requested_by_resident": True})
    assert asked.status_code == 201, asked.text


def test_calls_allowed_on_the_file_follow_the_consent_and_the_number(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    headers = _phone_agent(client, factories, "201")
    point = factories.ContactPointFactory(value="+33612345678")
    aside = factories.ContactPointFactory(resident=point.resident, value="+33699887766",
                                          contact_allowed=False)
    _grant_calls(db_session, point.resident_id)
    db_session.commit()
    resident = str(point.resident_id)
    answers = {phone: client.post(CALLBACKS, headers=headers,
                                  json=_callback(resident_id=resident, phone=phone))
               for phone in ("06 12 34 56 78", "06 99 88 77 66", "02 99 00 11 22")}
    assert {phone: a.status_code for phone, a in answers.items()} == {
        "06 12 34 56 78": 201,  # a number of the file, kept for contact
        "06 99 88 77 66": 422,  # set aside by the resident
        "02 99 00 11 22": 201,  # another number: the resident accepts calls
    }, answers["06 99 88 77 66"].text
    assert aside.contact_allowed is False
    set_consent(db_session=db_session, actor=SYSTEM, resident_id=point.resident_id,
                purpose=ConsentPurpose.CONTACT_PHONE, granted=False,
                source=ConsentSource.RESIDENT)
    db_session.commit()
    withdrawn = client.post(CALLBACKS, headers=headers, json=_callback(resident_id=resident))
    assert withdrawn.status_code == 422, withdrawn.text


def test_a_call_back_reason_with_an_override_is_refused_in_french(
    client: TestClient, factories: ModuleType, db_session: Session
) -> None:
    headers = _phone_agent(client, factories, "251")
    answer = client.post(CALLBACKS, headers=headers,
                         json=_callback(reason="Rappeler\u202e 21 60 ud"))
    assert answer.status_code == 422, answer.text
    assert "U+202E (inversion du sens d'écriture)" in answer.json()["detail"]


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678",
                                   "+33612345678"])
def test_a_number_alone_of_a_resident_who_refused_calls_is_refused(
    client: TestClient, db_session: Session, factories: ModuleType, phone: str
) -> None:
    """Outside test after issue 20: leaving out the file let the call-back through."""
    headers = _phone_agent(client, factories, "201")
    factories.ContactPointFactory(value="+33612345678")  # never said yes to calls
    db_session.commit()
    refused = client.post(CALLBACKS, headers=headers, json=_callback(phone=phone))
    assert (refused.status_code, refused.json()["code"]) == (422, "calls_refused"), refused.text
    assert "fiche d'un usager qui a refusé les appels" in refused.json()["detail"]
    assert _count(db_session) == 0
    asked = client.post(CALLBACKS, headers=headers,
                        json=_callback(phone=phone, requested_by_resident=True))
    assert asked.status_code == 201, asked.text
    unknown = client.post(CALLBACKS, headers=headers, json=_callback(phone="06 00 00 00 01"))
    assert unknown.status_code == 201, unknown.text


def test_a_refusal_for_a_number_not_on_file_says_so(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    headers = _phone_agent(client, factories, "201")
    point = factories.ContactPointFactory(value="+33612345678")
    db_session.commit()
    other = client.post(CALLBACKS, headers=headers, json=_callback(
        resident_id=str(point.resident_id), phone="02 99 00 11 22"))
    assert other.status_code == 422, other.text
    assert "n'est pas sur la fiche" in other.json()["detail"]
    assert "sur ce numéro" not in other.json()["detail"]


@pytest.mark.parametrize("due_at", ["+30", "30", 30, True, "1e3"])
def test_an_unreadable_due_time_is_not_called_past(
    client: TestClient, db_session: Session, factories: ModuleType, due_at: object
) -> None:
    """Outside test after issue 20: "+30" was read as 30 s after 1970, « déjà passée »."""
    headers = _phone_agent(client, factories, "201")
    refused = client.post(CALLBACKS, headers=headers, json=_callback(due_at=due_at))
    assert refused.status_code == 422, refused.text
    assert "illisible" in refused.json()["detail"] and "passée" not in refused.json()["detail"]
    assert _count(db_session) == 0


def test_another_residents_consent_does_not_override_a_refusal_on_the_number(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    """Third outside test of issue 20: the number of a resident who refused calls went
    through when the call-back was filed under another resident who accepts them."""
    headers = _phone_agent(client, factories, "201")
    factories.ContactPointFactory(value="+33677123456")  # never said yes to calls
    other = factories.ContactPointFactory(value="+33611111111")
    _grant_calls(db_session, other.resident_id)
    db_session.commit()
    body = _callback(phone="0677123456", resident_id=str(other.resident_id))
    refused = client.post(CALLBACKS, headers=headers, json=body)
    assert (refused.status_code, refused.json()["code"]) == (422, "calls_refused"), refused.text
    assert "fiche d'un autre usager qui a refusé les appels" in refused.json()["detail"]
    assert _count(db_session) == 0
    own = client.post(CALLBACKS, headers=headers, json=_callback(
        phone="0611111111", resident_id=str(other.resident_id)))
    assert own.status_code == 201, own.text


def test_a_call_of_one_resident_is_not_filed_under_another(
    client: TestClient, post_event: PostEvent, db_session: Session, factories: ModuleType
) -> None:
    """Third outside test of issue 20: nothing checked that the call named and the file
    named were the same resident's."""
    headers = _phone_agent(client, factories, "201")
    caller = factories.ContactPointFactory(value="+33677123456")
    other = factories.ContactPointFactory(value="+33611111111")
    for point in (caller, other):
        _grant_calls(db_session, point.resident_id)
    db_session.commit()
    call = post_event("newCall", "cb-mix", from_="0677123456", user=["201"]).json()["call"]
    mixed = client.post(CALLBACKS, headers=headers, json=_callback(
        phone="0677123456", call=call, resident_id=str(other.resident_id)))
    assert (mixed.status_code, mixed.json()["code"]) == (409, "callback_resident_mismatch"), \
        mixed.text
    assert "fiche d'un autre usager" in mixed.json()["detail"]
    assert _count(db_session) == 0
    same = client.post(CALLBACKS, headers=headers, json=_callback(
        phone="0677123456", call=call, resident_id=str(caller.resident_id)))
    assert same.status_code == 201, same.text
    assert same.json()["resident_id"] == str(caller.resident_id)


@pytest.mark.parametrize("hidden", ["\u200d", "\ufeff", "\u2060", "\U000e0041", "\u3164",
                                    "\u00ad", "\u061c", "\u0301" * 5])
def test_a_call_back_reason_meets_the_free_text_rule(
    client: TestClient, factories: ModuleType, db_session: Session, hidden: str
) -> None:
    """Third outside test of issue 20: the reason refused only direction overrides."""
    headers = _phone_agent(client, factories, "251")
    answer = client.post(CALLBACKS, headers=headers,
                         json=_callback(reason=f"Rappeler{hidden} demain"))
    assert answer.status_code == 422, answer.text
    assert "refusé dans un texte" in answer.json()["detail"]
    assert _count(db_session) == 0


def test_a_residents_tick_lifts_only_their_own_refusal(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    """Fourth outside test of issue 20: Lucas refused calls on 0689072829; a call-back on
    that number filed under Camille, « requested by the resident », was planned."""
    headers = _phone_agent(client, factories, "201")
    factories.ContactPointFactory(value="+33689072829")  # Lucas: never said yes to calls
    camille = factories.ContactPointFactory(value="+33611111111")
    _grant_calls(db_session, camille.resident_id)
    db_session.commit()
    body = _callback(phone="0689072829", resident_id=str(camille.resident_id),
                     requested_by_resident=True)
    refused = client.post(CALLBACKS, headers=headers, json=body)
    assert (refused.status_code, refused.json()["code"]) == (422, "calls_refused"), refused.text
    assert "fiche d'un autre usager" in refused.json()["detail"]
    assert "autre numéro" in refused.json()["detail"]
    assert _count(db_session) == 0
    # Camille's own refusal is hers to lift: on her number, her ask is enough.
    shy = factories.ContactPointFactory(value="+33622222222")
    db_session.commit()
    asked = client.post(CALLBACKS, headers=headers, json=_callback(
        phone="0622222222", resident_id=str(shy.resident_id), requested_by_resident=True))
    assert asked.status_code == 201, asked.text
