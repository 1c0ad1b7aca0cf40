"""Erasure: the record becomes anonymous, its statistics stay, nothing can find it again."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.app.models import Base
from crm_core.cases.models import Case
from crm_core.interactions.models import Interaction
from crm_core.privacy import erasure_hooks
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.models import AccessLog
from crm_core.recognition.models import ResidentMerge, SearchKey
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from crm_core.rights import erasure

Headers = Callable[[Role], dict[str, str]]
API = "/api/v1"


def _person(client: TestClient, headers: dict[str, str], given: str) -> str:
    created = client.post(f"{API}/residents", headers=headers, json={
        "given_name": given, "family_name": "Quéméner", "birth_date": "1968-02-29",
        "phones": ["06 98 76 54 32"], "emails": [f"{given.lower()}.quemener@exemple.fr"],
        "address_line": "3 rue de Brest", "postal_code": "35000", "city": "Rennes",
        "insee_code": "35238"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_erasure_anonymises_the_record_and_its_merged_records_and_keeps_the_statistics(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    supervisor = as_role(Role.SUPERVISOR)
    service = factories.ServiceFactory()
    survivor = _person(client, supervisor, "Loïc")
    duplicate = _person(client, supervisor, "Loic")
    assert client.post(f"{API}/residents/{survivor}/account-links", headers=supervisor,
                       json={"provider": "compte-unique", "subject": "sub-123"}).status_code == 201
    assert client.post(f"{API}/residents/{survivor}/badges", headers=supervisor,
                       json={}).status_code == 201
    case = client.post(f"{API}/cases", headers=supervisor, json={
        "resident_id": survivor, "service_code": service.code, "channel": "counter",
        "kind": "complaint", "subject": "Plainte de M. Quéméner contre son voisin",
        "description": "Il habite au 5 rue de Brest"})
    assert case.status_code == 201, case.text
    merged = client.post(f"{API}/residents/merges", headers=supervisor, json={
        "survivor_id": survivor, "merged_id": duplicate, "reason": "même personne"})
    assert merged.status_code == 201, merged.text
    client.put(f"{API}/residents/{survivor}/consents/reminders", headers=supervisor,
               json={"granted": True, "note": "Loïc préfère le matin"})

    erased = client.post(f"{API}/residents/{duplicate}/erasure", headers=supervisor,
                         json={"reason": "demande écrite du 2 décembre"})
    assert erased.status_code == 200, erased.text
    report = erased.json()
    assert report["resident_id"] == survivor and report["records_erased"] == 2
    assert report["contact_points_deleted"] >= 2 and report["account_links_deleted"] == 1

    ids = [uuid.UUID(survivor), uuid.UUID(duplicate)]
    people = db_session.scalars(select(Resident).where(Resident.id.in_(ids))).all()
    assert {(p.given_name, p.family_name, p.birth_date, p.city) for p in people} == {
        ("Anonyme", "Anonyme", None, None)}
    assert {p.status for p in people} == {ResidentStatus.ERASED, ResidentStatus.MERGED}
    assert all(p.insee_code == "35238" for p in people)  # the commune stays, for reports
    for model in (ContactPoint, AccountLink, SearchKey):
        assert db_session.scalar(select(func.count()).select_from(model)
                                 .where(model.resident_id.in_(ids))) == 0
    kept_case = db_session.scalars(select(Case).where(Case.resident_id.in_(ids))).one()
    assert (kept_case.subject, kept_case.description) == ("[effacé]", None)
    assert kept_case.origin_channel.value == "counter" and kept_case.service_id == service.id
    assert db_session.scalar(select(func.count()).select_from(Interaction).where(
        Interaction.resident_id.in_(ids), Interaction.note.is_not(None))) == 0
    merge_row = db_session.scalars(select(ResidentMerge).where(
        ResidentMerge.survivor_id == uuid.UUID(survivor))).one()
    assert merge_row.evidence is None and merge_row.reason is None
    assert AccessOperation.ERASE_RESIDENT in db_session.scalars(
        select(AccessLog.operation).where(AccessLog.resident_id == uuid.UUID(survivor))).all()

    # Nothing finds the person again; an old id lands on the anonymous record.
    assert client.get(f"{API}/lookup", headers=supervisor,
                      params={"phone": "0698765432"}).status_code == 404
    found = client.get(f"{API}/residents/search", headers=supervisor,
                       params={"q": "loic quemener"}).json()["results"]
    assert not {r["resident_id"] for r in found} & {survivor, duplicate}
    summary = client.get(f"{API}/residents/{duplicate}/summary", headers=supervisor).json()
    assert summary["resident"]["given_name"] == "Anonyme"
    badges = client.get(f"{API}/residents/{survivor}/badges", headers=supervisor).json()
    assert all(b["revoked_at"] for b in badges)
    undo = client.post(f"{API}/residents/merges/{merged.json()['id']}/undo",
                       headers=supervisor, json={"reason": "annulation"})
    assert undo.status_code == 409


def test_erasure_is_for_supervisors_with_a_reason(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    resident_id = factories.ResidentFactory().id
    url = f"{API}/residents/{resident_id}/erasure"
    assert client.post(url, headers=as_role(Role.COUNTER),
                       json={"reason": "demande"}).status_code == 403
    assert client.post(url, headers=as_role(Role.ADMIN),
                       json={"reason": "demande"}).status_code == 403
    supervisor = as_role(Role.SUPERVISOR)
    missing = client.post(url, headers=supervisor, json={})
    assert missing.status_code == 422
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert client.post(f"{API}/residents/{uuid.uuid4()}/erasure", headers=supervisor,
                       json={"reason": "demande"}).status_code == 404


def test_every_table_pointing_at_a_resident_is_scrubbed_or_deliberately_kept() -> None:
    pointing = {
        f"{table.name}.{fk.parent.name}"
        for table in Base.metadata.tables.values() for fk in table.foreign_keys
        if fk.column.table.name == "resident"
    }
    hooked = {column for column in erasure_hooks.HOOKS if column.endswith(".resident_id")}
    assert pointing == set(erasure.SCRUBBED) | set(erasure.KEPT) | hooked
