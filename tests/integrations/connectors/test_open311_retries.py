"""Open311: anonymous reports, and retried POSTs that never open a second case."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.cases.models import Case
from crm_core.residents.models import ContactPoint, Resident
from integrations.connectors.open311.anonymous import holder_id
from integrations.models import ResidentReview
from tests.integrations.connectors.test_open311 import API_KEY, parse_xml, report

OTHER_KEY = "cle-autre-appli"


@pytest.fixture(autouse=True)
def _setup(configure: Callable[..., None], factories: ModuleType) -> None:
    configure(open311_api_keys=[API_KEY, OTHER_KEY], open311_jurisdiction="ville.example")
    factories.ServiceFactory(code="voirie", label="Voirie et propreté", announced_delay_days=5)


def _count(db_session: Session, model: type) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


def _post(client: TestClient, fields: dict[str, Any], key: str | None = None) -> Any:
    headers = {"idempotency-key": key} if key is not None else {}
    return client.post("/open311/v2/requests.json", data=fields, headers=headers)


def anonymous(**changes: Any) -> dict[str, Any]:
    return report(**{"first_name": None, "last_name": None, "email": None, **changes})


def test_anonymous_reports_go_to_one_anonymous_file_and_keep_no_contact(
    client: TestClient, db_session: Session
) -> None:
    residents_before = _count(db_session, Resident)
    first = _post(client, anonymous())
    assert first.status_code == 201, first.text
    assert first.json()[0]["service_notice"].startswith("Signalement anonyme")
    second = _post(client, anonymous(description="Lampadaire éteint",
                                     email="sans.nom@example.fr"))
    assert second.status_code == 201
    made = db_session.scalars(select(Case).where(Case.external_system == "open311")).all()
    assert len(made) == 2
    assert {case.resident_id for case in made} == {holder_id("open311")}
    assert _count(db_session, Resident) == residents_before + 1
    assert _count(db_session, ResidentReview) == 0  # nobody to review
    assert db_session.scalar(select(ContactPoint).where(
        ContactPoint.value == "sans.nom@example.fr")) is None
    [record] = client.get(f"/open311/v2/requests/{second.json()[0]['service_request_id']}"
                          ".json").json()
    assert record["status"] == "open"


def test_one_name_alone_is_a_clear_error(client: TestClient, db_session: Session) -> None:
    response = _post(client, report(last_name=None))
    assert response.status_code == 400
    assert "vont ensemble" in response.json()[0]["description"]
    assert _count(db_session, Case) == 0


def test_a_retried_post_without_key_gets_the_first_id_back(
    client: TestClient, db_session: Session
) -> None:
    first = _post(client, report())
    again = _post(client, report())
    assert again.status_code == 201
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert again.json()[0]["service_notice"].startswith("Signalement déjà reçu")
    assert _count(db_session, Case) == 1
    other_app = _post(client, report(api_key=OTHER_KEY))  # another app, its own report
    other_spot = _post(client, report(lat="48.2000"))
    assert len({r.json()[0]["service_request_id"] for r in (first, other_app, other_spot)}) == 3
    assert _count(db_session, Case) == 3


def test_the_same_report_after_the_window_is_a_new_one(
    client: TestClient, db_session: Session, configure: Callable[..., None]
) -> None:
    configure(open311_api_keys=[API_KEY], open311_jurisdiction="ville.example",
              open311_duplicate_window_seconds="0")
    first = _post(client, report())
    later = _post(client, report())
    assert later.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    assert _count(db_session, Case) == 2


def test_an_idempotency_key_decides_and_is_never_reused_for_another_report(
    client: TestClient, db_session: Session
) -> None:
    first = _post(client, report(), key="rapport-42")
    again = _post(client, report(), key="rapport-42")
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    other = _post(client, report(), key="rapport-43")  # same words, another report on purpose
    assert other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    reused = client.post("/open311/v2/requests.xml", data=report(description="Autre chose"),
                         headers={"idempotency-key": "rapport-42"})
    assert reused.status_code == 422
    assert "Idempotency-Key" in parse_xml(reused.content).find(
        "error/description").text  # type: ignore[union-attr,operator]
    assert _post(client, report(), key="x" * 201).status_code == 400
    assert _post(client, report(), key=" ").status_code == 400
    assert _count(db_session, Case) == 2


def test_concurrent_twins_of_one_post_open_one_case(live_server: Any) -> None:
    """An app that times out and retries at once: the twins race on the inbox's unique key;
    whichever loses answers with the winner's id."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    import httpx

    from crm_core.cases.schemas import ServiceCreate
    from crm_core.cases.service import create_service

    with live_server.session() as session:
        create_service(db_session=session, data=ServiceCreate(
            code="voirie", label="Voirie", announced_delay_days=5))
        session.commit()
    barrier = Barrier(4)

    def post(_: int) -> Any:
        with httpx.Client(timeout=20) as app:
            barrier.wait()
            return app.post(f"{live_server.url}/open311/v2/requests.json", data=report())

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(post, range(4)))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()[0]["service_request_id"] for a in answers}) == 1
    with live_server.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
