"""Consents: opt-in per purpose, every change kept, withdrawing as easy as giving."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.agents.enums import Role
from crm_core.channels import Channel
from crm_core.consent import service as consents
from crm_core.consent.service import ConsentMissing
from crm_core.privacy.enums import AccessOperation, ConsentPurpose, ConsentSource
from crm_core.privacy.models import AccessLog, ConsentChange

Headers = Callable[[Role], dict[str, str]]


def test_no_answer_is_no_and_every_change_is_kept(
    db_session: Session, factories: ModuleType
) -> None:
    resident_id = factories.ResidentFactory().id
    purpose = ConsentPurpose.CONTACT_SMS
    assert not consents.may_contact(db_session=db_session, resident_id=resident_id,
                                    purpose=purpose)
    with pytest.raises(ConsentMissing, match="SMS"):
        consents.require_consent(db_session=db_session, resident_id=resident_id,
                                 purpose=purpose)
    for granted in (True, True, False, True):  # the repeated yes changes nothing
        consents.set_consent(db_session=db_session, actor=SYSTEM, resident_id=resident_id,
                             purpose=purpose, granted=granted, source=ConsentSource.RESIDENT,
                             channel=Channel.WEB)
    consents.require_consent(db_session=db_session, resident_id=resident_id, purpose=purpose)
    states, history = consents.read_consents(db_session=db_session, actor=SYSTEM,
                                             resident_id=resident_id)
    assert [change.granted for change in history] == [True, False, True]  # newest first
    assert states[purpose].granted and states[purpose].source is ConsentSource.RESIDENT
    assert not states[ConsentPurpose.CONTACT_PHONE].granted
    assert states[ConsentPurpose.CONTACT_PHONE].changed_at is None


def test_an_agent_records_the_answer_on_the_residents_behalf_through_the_api(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    resident_id = factories.ResidentFactory().id
    headers = as_role(Role.PHONE)
    url = f"/api/v1/residents/{resident_id}/consents"
    given = client.put(f"{url}/contact_email", headers=headers,
                       json={"granted": True, "note": "demandé au téléphone"})
    assert given.status_code == 200, given.text
    assert given.json()["granted"] and given.json()["channel"] == "phone"
    withdrawn = client.put(f"{url}/contact_email", headers=headers, json={"granted": False})
    assert withdrawn.status_code == 200 and not withdrawn.json()["granted"]
    read = client.get(url, headers=headers).json()
    email = next(c for c in read["consents"] if c["purpose"] == "contact_email")
    assert (email["granted"], email["source"]) == (False, "agent")
    assert email["label"] == "être contacté(e) par courriel"
    assert [h["granted"] for h in read["history"]] == [False, True]
    assert all(h["agent_id"] for h in read["history"])
    operations = list(db_session.scalars(
        select(AccessLog.operation).where(AccessLog.resident_id == resident_id)
    ))
    assert operations.count(AccessOperation.UPDATE_CONSENT) == 2
    assert AccessOperation.READ_CONSENTS in operations


def test_bad_consent_requests_are_clear_problems(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    resident_id = factories.ResidentFactory().id
    headers = as_role(Role.COUNTER)
    url = f"/api/v1/residents/{resident_id}/consents"
    unknown_purpose = client.put(f"{url}/tracking", headers=headers, json={"granted": True})
    assert unknown_purpose.status_code == 422
    assert unknown_purpose.headers["content-type"].startswith("application/problem+json")
    assert client.put(f"{url}/reminders", headers=headers, json={}).status_code == 422
    assert client.put(f"{url}/reminders", headers=headers,
                      json={"granted": "peut-être"}).status_code == 422
    for loose in ("yes", "true", "oui", 1, "1", "on"):  # only JSON true or false answers
        refused = client.put(f"{url}/contact_sms", headers=headers, json={"granted": loose})
        assert refused.status_code == 422, loose
        assert "vrai/faux attendu" in refused.text
    nobody = client.get(f"/api/v1/residents/{uuid.uuid4()}/consents", headers=headers)
    assert nobody.status_code == 404
    admin = client.get(url, headers=as_role(Role.ADMIN))  # least privilege: no files
    assert admin.status_code == 403
    assert client.get(url).status_code == 401
    assert db_session.scalar(select(ConsentChange.id)) is None


def test_a_missing_consent_is_said_in_correct_french(
    db_session: Session, factories: ModuleType
) -> None:
    resident_id = factories.ResidentFactory().id
    with pytest.raises(ConsentMissing) as missing:
        consents.require_consent(db_session=db_session, resident_id=resident_id,
                                 purpose=ConsentPurpose.CONTACT_PHONE)
    assert missing.value.detail == "L'usager n'a pas accepté d'être contacté(e) par téléphone"
