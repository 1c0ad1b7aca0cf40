from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.privacy.models import AccessLog
from crm_core.residents.enums import ContactKind

Headers = Callable[[Role], dict[str, str]]


@pytest.mark.parametrize(
    "typed", ["02 99 12 34 56", "+33 2 99 12 34 56", "0033299123456", "02.99.12.34.56"]
)
def test_lookup_by_phone_any_format(
    client: TestClient, factories: ModuleType, as_role: Headers, typed: str
) -> None:
    point = factories.ContactPointFactory(value="+33299123456")
    response = client.get("/api/v1/lookup", params={"phone": typed}, headers=as_role(Role.PHONE))
    assert response.status_code == 200, response.text
    assert response.json()["resident"]["id"] == str(point.resident.id)


def test_shared_family_phone_is_ambiguous_not_guessed(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    factories.ContactPointFactory(value="+33299000000")
    factories.ContactPointFactory(value="+33299000000")
    response = client.get(
        "/api/v1/lookup", params={"phone": "0299000000"}, headers=as_role(Role.PHONE)
    )
    assert response.status_code == 409
    assert len(response.json()["candidates"]) == 2


def test_lookup_misses_and_bad_queries(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    headers = as_role(Role.COUNTER)
    factories.ContactPointFactory(kind=ContactKind.EMAIL, value="anna@exemple.fr")
    assert client.get("/api/v1/lookup", params={"email": "ANNA@exemple.fr"},
                      headers=headers).status_code == 200
    nobody = client.get("/api/v1/lookup", params={"email": "bob@exemple.fr"}, headers=headers)
    assert (nobody.status_code, nobody.json()["code"]) == (404, "no_match")
    for params in ({}, {"phone": "0612345678", "email": "a@b.fr"}, {"phone": "12"},
                   {"email": "x"}, {"reference": "?"}, {"account": "nocolon"},
                   {"phone": "x" * 400}):
        response = client.get("/api/v1/lookup", params=params, headers=headers)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"


def test_lookup_by_reference_and_access_log(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    case = factories.CaseFactory()
    response = client.get(
        "/api/v1/lookup", params={"reference": case.reference.lower()},
        headers=as_role(Role.COUNTER),
    )
    assert response.status_code == 200
    assert response.json()["open_cases"][0]["reference"] == case.reference
    logged = db_session.scalars(
        select(AccessLog.operation).where(AccessLog.resident_id == case.resident_id)
    ).all()
    assert logged == ["lookup"]


def test_lookup_in_the_body_answers_as_the_query_string_does(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    """POST /lookup: the same answers, with the phone number out of the URL."""
    headers = as_role(Role.COUNTER)
    point = factories.ContactPointFactory(value="+33299123457")
    found = client.post("/api/v1/lookup", json={"phone": "02 99 12 34 57"}, headers=headers)
    assert found.status_code == 200, found.text
    assert found.json() == client.get("/api/v1/lookup", params={"phone": "0299123457"},
                                      headers=headers).json()
    assert found.json()["resident"]["id"] == str(point.resident.id)
    nobody = client.post("/api/v1/lookup", json={"email": "bob@exemple.fr"}, headers=headers)
    assert (nobody.status_code, nobody.json()["code"]) == (404, "no_match")
    for body in ({}, {"phone": "0612345678", "email": "a@b.fr"}, {"phone": "x" * 401},
                 {"name": "Durand"}, {"phone": 612345678}):
        response = client.post("/api/v1/lookup", json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
