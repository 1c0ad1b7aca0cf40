from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from crm_core.agents.enums import Role
from crm_core.residents.models import Resident

Headers = Callable[[Role], dict[str, str]]
URL = "/api/v1/residents/search"


def test_search_answers_ranked_candidates_with_reasons(
    client: TestClient, as_role: Headers, people: dict[str, Resident]
) -> None:
    response = client.get(URL, params={"q": "camile durant", "birth_date": "1984-03-12"},
                          headers=as_role(Role.PHONE))
    assert response.status_code == 200, response.text
    body = response.json()
    first = body["results"][0]
    assert first["resident_id"] == str(people["Camille Durand"].id)
    assert set(first) >= {"resident_id", "given_name", "family_name", "birth_date", "score",
                          "reasons"}
    assert {r["field"] for r in first["reasons"]} == {"family_name", "given_name",
                                                       "birth_date"}
    assert body["understood"]["names"] == ["camile", "durant"]
    assert body["understood"]["birth_date"] == "1984-03-12"


def test_search_is_not_taken_for_a_resident_id(
    client: TestClient, as_role: Headers, people: dict[str, Resident]
) -> None:
    response = client.get(URL, params={"q": "le goff"}, headers=as_role(Role.COUNTER))
    assert response.status_code == 200
    assert response.json()["results"][0]["family_name"] == "Le Goff"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "a"}, "q"),
        ({"q": "x" * 10_000}, "q"),
        ({"q": "😀🙂"}, "q"),
        ({"q": "%_\\'\""}, "q"),
        ({"q": "durand", "birth_date": "12/03/1984"}, "birth_date"),
        ({"q": "durand", "limit": "0"}, "limit"),
        ({}, "q"),
    ],
)
def test_bad_queries_get_a_french_problem(
    client: TestClient, as_role: Headers, params: dict[str, str], field: str
) -> None:
    response = client.get(URL, params=params, headers=as_role(Role.COUNTER))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert field in [e["field"] for e in problem.get("errors", [])] or problem.get("field") == field
    assert problem["detail"]


def test_a_refused_search_names_the_box_as_the_agent_reads_it(
    client: TestClient, as_role: Headers
) -> None:
    """A fifth outside look: the counter showed « q : texte trop long » (the API's name)."""
    response = client.get(URL, params={"q": "é" * 300}, headers=as_role(Role.COUNTER))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["detail"].startswith("Recherche : texte trop long"), problem["detail"]
    assert problem["errors"][0]["field"] == "q"  # programs keep the API's own name


@pytest.mark.parametrize("typed", ["dur%", "du_and", "O'Brien%'; --", "\\\\", "Иванов", "李"])
def test_metacharacters_and_other_scripts_are_plain_text(
    client: TestClient, as_role: Headers, people: dict[str, Resident], typed: str
) -> None:
    response = client.get(URL, params={"q": typed}, headers=as_role(Role.COUNTER))
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert isinstance(response.json()["results"], list)


def test_search_needs_an_agent_who_reads_files(
    client: TestClient, as_role: Headers, people: dict[str, Resident]
) -> None:
    assert client.get(URL, params={"q": "durand"}).status_code == 401
    forbidden = client.get(URL, params={"q": "durand"}, headers=as_role(Role.ADMIN))
    assert forbidden.status_code == 403


def test_a_search_writes_one_access_log_row_naming_nobody(
    client: TestClient, as_role: Headers, people: dict[str, Resident], db_session: object
) -> None:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from crm_core.privacy.models import AccessLog

    assert isinstance(db_session, Session)
    before = db_session.scalar(select(func.count()).select_from(AccessLog))
    client.get(URL, params={"q": "camille"}, headers=as_role(Role.COUNTER))
    assert db_session.scalar(select(func.count()).select_from(AccessLog)) == (before or 0) + 1
    last = db_session.scalars(select(AccessLog).order_by(AccessLog.id.desc())).first()
    assert last is not None and last.resident_id is None and last.operation == "search"


def test_search_in_the_body_answers_as_the_query_string_does(
    client: TestClient, as_role: Headers, people: dict[str, Resident]
) -> None:
    headers = as_role(Role.PHONE)
    criteria = {"q": "camile durant", "birth_date": "1984-03-12"}
    posted = client.post(URL, json=criteria, headers=headers)
    assert posted.status_code == 200, posted.text
    assert posted.json() == client.get(URL, params=criteria, headers=headers).json()
    assert posted.json()["results"][0]["resident_id"] == str(people["Camille Durand"].id)
    for body in ({"q": "x" * 201}, {"q": "durand", "limit": 0}, {"q": "durand", "age": 3}):
        response = client.post(URL, json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
