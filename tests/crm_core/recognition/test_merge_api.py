from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.recognition.indexing import reindex_residents
from crm_core.recognition.models import ResidentMerge

Headers = Callable[[Role], dict[str, str]]
MERGES = "/api/v1/residents/merges"


def test_merge_and_undo_through_the_api(
    client: TestClient, as_role: Headers, factories: ModuleType, db_session: Session
) -> None:
    survivor = factories.ResidentFactory(given_name="Camille", family_name="Durand")
    merged = factories.ResidentFactory(given_name="Camille", family_name="Durant")
    case = factories.CaseFactory(resident=merged)
    reindex_residents(db_session=db_session, resident_ids=[survivor.id, merged.id])
    body = {"survivor_id": str(survivor.id), "merged_id": str(merged.id),
            "reason": "même personne (appel du 12)"}

    refused = client.post(MERGES, json=body, headers=as_role(Role.COUNTER))
    assert refused.status_code == 403
    assert "fusionner" in refused.json()["detail"]

    supervisor = as_role(Role.SUPERVISOR)
    done = client.post(MERGES, json=body, headers=supervisor)
    assert done.status_code == 201, done.text
    record = done.json()
    assert record["moved"] == {"case": 1}
    assert record["evidence"]["comparisons"]

    old = client.get(f"/api/v1/residents/{merged.id}/summary", headers=as_role(Role.COUNTER))
    assert old.json()["resident"]["id"] == str(survivor.id)
    assert old.json()["merged_from"] == str(merged.id)
    assert [c["reference"] for c in old.json()["open_cases"]] == [case.reference]

    again = client.post(MERGES, json=body, headers=supervisor)
    assert again.status_code == 409 and again.json()["code"] == "merge_refused"
    assert client.get(f"{MERGES}/{record['id']}", headers=supervisor).status_code == 200

    undone = client.post(f"{MERGES}/{record['id']}/undo", json={"reason": "deux personnes"},
                         headers=supervisor)
    assert undone.status_code == 200, undone.text
    assert undone.json()["undone_at"] is not None
    back = client.get(f"/api/v1/residents/{merged.id}/summary", headers=as_role(Role.COUNTER))
    assert back.json()["resident"]["id"] == str(merged.id)
    assert [c["reference"] for c in back.json()["open_cases"]] == [case.reference]


def test_merge_request_validation(client: TestClient, as_role: Headers) -> None:
    response = client.post(MERGES, json={"survivor_id": "x", "reason": ""},
                           headers=as_role(Role.SUPERVISOR))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    missing = client.post(f"{MERGES}/00000000-0000-0000-0000-000000000000/undo",
                          json={"reason": "essai"}, headers=as_role(Role.SUPERVISOR))
    assert missing.status_code == 404 and missing.json()["code"] == "merge_not_found"


def test_a_key_given_twice_is_refused_naming_it(
    client: TestClient, as_role: Headers, factories: ModuleType, db_session: Session
) -> None:
    """Fourth outside look at issue 21: the last value won silently."""
    survivor, merged = factories.ResidentFactory(), factories.ResidentFactory()
    body = (f'{{"survivor_id": "{survivor.id}", "merged_id": "{merged.id}",'
            ' "reason": "doublon", "reason": "autre chose"}')
    refused = client.post(MERGES, content=body, headers={
        **as_role(Role.SUPERVISOR), "content-type": "application/json"})
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "« reason » est donnée deux fois" in refused.json()["detail"]
    assert not db_session.scalars(select(ResidentMerge)).all()
    nested = client.post(MERGES, content=body.replace('"reason": "doublon", ', '"x": {"a": 1,'
                                                      ' "a": 2}, '), headers={
        **as_role(Role.SUPERVISOR), "content-type": "application/json"})
    assert nested.status_code == 422 and "« a »" in nested.json()["detail"]
