"""Every way of finding a person is traced (one access-log row per search: who, when, the
kind of criterion, how many found), stopped by the lookup lock, and rate-limited per agent
over a sliding window held in the database; reads that show a resident's data leave a row."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.database.base import utcnow
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.models import AccessLog
from crm_core.security.enums import EventKind
from crm_core.security.models import SecurityEvent
from tests.crm_core.security.world import Staff, World
from tests.support.finds import lock_out, reread_settings

SEARCH = BODY_SEARCH = "/api/v1/residents/search"


def _rows(db_session: Session, operation: AccessOperation) -> list[AccessLog]:
    db_session.expire_all()
    return list(db_session.scalars(
        select(AccessLog).where(AccessLog.operation == operation).order_by(AccessLog.id)))


def _a_family_on_one_line(factories: ModuleType, number: str = "+33299001122") -> list[Any]:
    people = [factories.ResidentFactory(given_name=g, family_name="Durand-Leclerc")
              for g in ("Camille", "Marc")]
    for person in people:
        factories.ContactPointFactory(resident=person, value=number)
    return people


def test_a_search_by_phone_digits_leaves_one_row_with_kind_and_count(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    staff = Staff.make(db_session)
    headers = staff.headers(Role.PHONE)
    for person in (factories.ResidentFactory(family_name="Durand-Leclerc") for _ in range(2)):
        db_session.commit()
        added = client.post(f"/api/v1/residents/{person.id}/contact-points", headers=headers,
                            json={"kind": "phone", "value": "0299001122", "channel": "phone"})
        assert added.status_code == 201, added.text
    found = client.post(BODY_SEARCH, json={"q": "11 22"}, headers=headers)
    assert found.status_code == 200, found.text
    shown = len(found.json()["results"])
    assert shown == 2
    by_name = client.get(SEARCH, params={"q": "Durand-Leclerc"}, headers=headers)
    assert by_name.status_code == 200
    rows = _rows(db_session, AccessOperation.SEARCH)
    assert [(r.agent_id, r.resident_id) for r in rows] == [
        (staff.agents[Role.PHONE, "home"].id, None)] * 2
    assert rows[0].reason == "téléphone : 2 résultat(s)"
    assert "1122" not in (rows[0].reason or "")  # the kind, never the value
    assert rows[1].reason is not None and rows[1].reason.startswith("nom : ")


def test_a_shared_number_shows_candidates_each_traced(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    staff = Staff.make(db_session)
    people = _a_family_on_one_line(factories)
    db_session.commit()
    shared = client.post("/api/v1/lookup", json={"phone": "0299001122"},
                         headers=staff.headers(Role.PHONE))
    assert shared.status_code == 409
    assert len(shared.json()["candidates"]) == 2
    rows = _rows(db_session, AccessOperation.LOOKUP)
    assert sorted(str(r.resident_id) for r in rows) == sorted(str(p.id) for p in people)
    assert {r.reason for r in rows} == {"phone partagé"}


def test_a_locked_agent_cannot_search_either(
    client: TestClient, db_session: Session, factories: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lock raised by lookups that find nobody stops every way of finding a person."""
    monkeypatch.setenv("RELAIS_LOOKUP_MISSES_PER_AGENT", "3")
    reread_settings(client.app)
    staff = Staff.make(db_session)
    world = World(db_session, staff)
    headers = staff.headers(Role.COUNTER)
    lock_out(client, headers, misses=3)
    for method, url, body in (
        ("POST", BODY_SEARCH, {"q": "0299001122"}),
        ("GET", SEARCH + "?q=Durand", None),
        ("POST", "/api/v1/lookup", {"email": "a@example.org"}),
        ("GET", f"/api/v1/cases/{world.reference}", None),
        ("GET", f"/api/v1/residents/{world.resident_id}/duplicates", None),
    ):
        refused = client.request(method, url, headers=headers, json=body)
        assert refused.status_code == 429, (url, refused.text)


def test_finding_people_is_rate_limited_per_agent_over_a_sliding_window(
    client: TestClient, db_session: Session, factories: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RELAIS_FINDS_PER_AGENT", "10")
    monkeypatch.setenv("RELAIS_FIND_WINDOW_SECONDS", "600")
    reread_settings(client.app)
    staff = Staff.make(db_session)
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    with time_machine.travel(start + timedelta(minutes=9), tick=False) as at:
        headers, colleague = staff.headers(Role.PHONE), staff.headers(Role.PHONE, "other")
        for _ in range(10):  # the end of one window ...
            assert client.post(BODY_SEARCH, json={"q": "06 12"},
                               headers=headers).status_code == 200
        at.shift(timedelta(seconds=90))  # ... and the start of the next: still counted
        refused = client.post(BODY_SEARCH, json={"q": "06 12"}, headers=headers)
        assert refused.status_code == 429
        assert client.post("/api/v1/lookup", json={"phone": "0612000000"},
                           headers=headers).status_code == 429
        assert client.post(BODY_SEARCH, json={"q": "06 12"},
                           headers=colleague).status_code == 200
        for _ in range(3):
            client.post(BODY_SEARCH, json={"q": "06 12"}, headers=headers)
        db_session.expire_all()
        events = list(db_session.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == EventKind.FIND_RATE)))
        assert [e.agent_id for e in events] == [staff.agents[Role.PHONE, "home"].id]
        at.shift(timedelta(minutes=20))  # the windows slid past: searching again
        assert client.post(BODY_SEARCH, json={"q": "06 12"},
                           headers=headers).status_code == 200


def test_reads_of_badges_reminders_and_the_queue_are_traced(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    staff = Staff.make(db_session)
    world = World(db_session, staff)
    headers = staff.headers(Role.COUNTER)
    resident = world.resident.id
    assert client.get(f"/api/v1/residents/{resident}/badges",
                      headers=headers).status_code == 200
    assert client.get(f"/api/v1/residents/{resident}/reminders",
                      headers=headers).status_code == 200
    assert [r.resident_id for r in _rows(db_session, AccessOperation.READ_BADGES)] == [resident]
    assert [r.resident_id for r in _rows(db_session, AccessOperation.READ_REMINDERS)] == [
        resident]
    ticket = client.post("/api/v1/queue/tickets", headers=headers, json={
        "service_code": world.service.code, "resident_id": str(resident)})
    assert ticket.status_code == 201, ticket.text
    for _ in range(3):  # the app polls: traced once a day per agent and resident
        assert client.get("/api/v1/queue/tickets", headers=headers).status_code == 200
    assert [r.resident_id for r in _rows(db_session, AccessOperation.READ_QUEUE)] == [resident]
    client.get("/api/v1/queue/tickets", headers=staff.headers(Role.SUPERVISOR))
    assert len(_rows(db_session, AccessOperation.READ_QUEUE)) == 2
