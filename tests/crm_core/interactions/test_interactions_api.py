from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.cases import reference as refs
from crm_core.interactions.models import Interaction
from tests.support.finds import limit_finds, lock_out

Headers = Callable[[Role], dict[str, str]]


def test_idempotency_key_records_once(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    headers = as_role(Role.COUNTER)
    resident = factories.ResidentFactory()
    payload = {"resident_id": str(resident.id), "outcome": "informed",
               "note": "Visite hors ligne", "idempotency_key": "counter-1:journal-0001"}
    first = client.post("/api/v1/interactions", headers=headers, json=payload)
    again = client.post("/api/v1/interactions", headers=headers, json=payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["channel"] == "counter"  # the counter agent's own channel
    count = db_session.scalar(
        select(func.count()).select_from(Interaction).where(Interaction.resident_id == resident.id)
    )
    assert count == 1
    other = factories.ResidentFactory()
    stolen = client.post(
        "/api/v1/interactions", headers=headers, json=payload | {"resident_id": str(other.id)}
    )
    assert stolen.status_code == 422
    assert stolen.json()["code"] == "idempotency_key_reused"


def test_a_key_reused_with_another_content_is_refused_and_names_the_fields(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    """Outside test: a key sent again with another note and outcome answered 200 with the
    first exchange, so the client believed the second one recorded."""
    headers = as_role(Role.COUNTER)
    case = factories.CaseFactory()
    db_session.commit()  # out of reach of a route that rolls back
    payload = {"resident_id": str(case.resident_id), "outcome": "informed",
               "note": "Visite hors ligne", "case_reference": case.reference,
               "occurred_at": datetime.now(UTC).isoformat(),
               "idempotency_key": "counter-1:journal-0002"}
    first = client.post("/api/v1/interactions", headers=headers, json=payload)
    assert first.status_code == 201, first.text
    # The same content re-serialised: another zone, the reference as typed, no channel.
    honest = payload | {
        "case_reference": refs.format_reference(case.reference).lower(),
        "occurred_at": datetime.now(UTC).astimezone(timezone(timedelta(hours=-3))).isoformat()}
    again = client.post("/api/v1/interactions", headers=headers, json=honest)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    other = client.post("/api/v1/interactions", headers=headers, json=payload | {
        "note": "Autre visite", "outcome": "case_opened", "channel": "phone"})
    assert other.status_code == 422
    problem = other.json()
    assert problem["code"] == "idempotency_key_reused"
    assert "(résultat, note, canal)" in problem["detail"]
    assert "rien n'a été enregistré" in problem["detail"]
    assert "Autre visite" not in problem["detail"]
    unlinked = client.post("/api/v1/interactions", headers=headers,
                           json=payload | {"case_reference": None})
    assert unlinked.status_code == 422 and "(demande)" in unlinked.json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(Interaction).where(
        Interaction.resident_id == case.resident_id)) == 1


def test_a_case_of_another_resident_answers_as_an_unknown_reference(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    """Outside test of issue 20: a 422 "autre usager" for someone else's case and a 404
    for a reference naming nothing told a guesser which references exist."""
    headers = as_role(Role.PHONE)
    case = factories.CaseFactory()
    stranger = factories.ResidentFactory()
    db_session.commit()  # out of reach of a route that rolls back
    unknown = refs.generate()
    answers = [client.post("/api/v1/interactions", headers=headers, json={
        "resident_id": str(stranger.id), "case_reference": reference, "outcome": "informed"})
        for reference in (case.reference, unknown)]
    assert [a.status_code for a in answers] == [404, 404], answers[0].text
    theirs, nothing = (a.json() for a in answers)
    assert theirs["detail"].replace(refs.format_reference(case.reference), "?") == \
        nothing["detail"].replace(refs.format_reference(unknown), "?")
    assert theirs | {"detail": ""} == nothing | {"detail": ""}
    assert theirs["code"] == "case_not_found" and "cet usager" in theirs["detail"]
    assert db_session.scalar(select(func.count()).select_from(Interaction)) == 0


def test_naming_a_case_is_a_find_a_locked_agent_cannot_make(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    limit_finds(monkeypatch, request, misses=2)
    headers = as_role(Role.PHONE)
    case = factories.CaseFactory()
    db_session.commit()
    base = {"resident_id": str(case.resident_id), "outcome": "informed"}
    lock_out(client, headers, misses=2)
    answers = [client.post("/api/v1/interactions", headers=headers,
                           json=base | {"case_reference": reference})
               for reference in (case.reference, refs.generate())]
    assert [a.status_code for a in answers] == [429, 429], answers[0].text
    assert answers[0].json() == answers[1].json()
    # An exchange that names no case finds nobody: still recorded.
    plain = client.post("/api/v1/interactions", headers=headers, json=base)
    assert plain.status_code == 201, plain.text


def test_cases_named_in_exchanges_count_as_finds_and_misses(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    limit_finds(monkeypatch, request, misses=1, finds=3)
    headers = as_role(Role.PHONE)
    case = factories.CaseFactory()
    stranger = factories.ResidentFactory()
    db_session.commit()
    named = {"resident_id": str(case.resident_id), "case_reference": case.reference,
             "outcome": "informed"}
    assert client.post("/api/v1/interactions", headers=headers, json=named).status_code == 201
    missed = client.post("/api/v1/interactions", headers=headers,
                         json=named | {"resident_id": str(stranger.id)})
    assert missed.status_code == 404
    locked = client.post("/api/v1/interactions", headers=headers, json=named)
    assert locked.status_code == 429, locked.text


def test_times_are_checked(client: TestClient, factories: ModuleType, as_role: Headers) -> None:
    headers = as_role(Role.PHONE)
    resident = factories.ResidentFactory()
    now = datetime.now(UTC)
    base = {"resident_id": str(resident.id), "outcome": "informed"}
    future = client.post("/api/v1/interactions", headers=headers,
                         json=base | {"occurred_at": (now + timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    # Said as what it is (an outside look: a date in 2030 read « au plus dans le passé »).
    assert "dans le futur" in future.json()["detail"], future.text
    old = client.post("/api/v1/interactions", headers=headers,
                      json=base | {"occurred_at": (now - timedelta(days=31)).isoformat()})
    assert "30 jours au plus dans le passé" in old.json()["detail"], old.text
    naive = client.post("/api/v1/interactions", headers=headers,
                        json=base | {"occurred_at": "2026-01-01T10:00:00"})
    assert naive.status_code == 422
    backwards = client.post(
        "/api/v1/interactions", headers=headers,
        json=base | {"occurred_at": now.isoformat(),
                     "ended_at": (now - timedelta(minutes=5)).isoformat()},
    )
    assert backwards.status_code == 422
    endless = client.post(  # an end in 2999 would read as an exchange going on for ever
        "/api/v1/interactions", headers=headers,
        json=base | {"occurred_at": now.isoformat(), "ended_at": "2999-01-01T00:00:00Z"})
    assert (endless.status_code, endless.json()["field"]) == (422, "ended_at"), endless.text
    assert "futur" in endless.json()["detail"]
    call = client.post(
        "/api/v1/interactions", headers=headers,
        json=base | {"occurred_at": (now - timedelta(minutes=7)).isoformat(),
                     "ended_at": now.isoformat(), "direction": "outbound",
                     "outcome": "callback_scheduled"},
    )
    assert call.status_code == 201, call.text
    assert call.json()["channel"] == "phone"


def test_supervisor_without_channel_must_say_it(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    resident = factories.ResidentFactory()
    response = client.post(
        "/api/v1/interactions", headers=as_role(Role.SUPERVISOR),
        json={"resident_id": str(resident.id), "outcome": "informed"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "channel"


def test_timeline_paging(client: TestClient, factories: ModuleType, as_role: Headers) -> None:
    resident = factories.ResidentFactory()
    start = datetime.now(UTC) - timedelta(days=1)
    for minute in range(30):
        factories.InteractionFactory(
            resident=resident, occurred_at=start + timedelta(minutes=minute)
        )
    headers = as_role(Role.COUNTER)
    page = client.get(f"/api/v1/residents/{resident.id}/interactions?limit=25", headers=headers)
    assert len(page.json()) == 25
    oldest = page.json()[-1]["occurred_at"]
    rest = client.get(f"/api/v1/residents/{resident.id}/interactions",
                      params={"before": oldest}, headers=headers)
    assert len(rest.json()) == 5
