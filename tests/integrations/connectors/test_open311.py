from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from types import ModuleType
from typing import Any
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case
from crm_core.cases.schemas import ServiceCreate
from crm_core.cases.service import create_service
from crm_core.channels import Channel

API_KEY = "cle-fixmaville"
parse_xml = ET.fromstring  # the XML of our own server under test


@pytest.fixture
def open311(configure: Callable[..., None]) -> None:
    configure(open311_api_keys=[API_KEY], open311_jurisdiction="ville.example")


@pytest.fixture
def voirie(factories: ModuleType) -> None:
    factories.ServiceFactory(code="voirie", label="Voirie et propreté", announced_delay_days=5)


def report(**changes: Any) -> dict[str, Any]:
    fields = {"api_key": API_KEY, "jurisdiction_id": "ville.example", "service_code": "voirie",
              "lat": "48.1113", "long": "-1.6800", "description": "Nid-de-poule dangereux",
              "first_name": "Camille", "last_name": "Durand",
              "email": "camille.durand@example.fr", "device_id": "ios-123",
              "media_url": "https://photos.example/1.jpg"}
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


@pytest.mark.usefixtures("open311", "voirie")
def test_services_are_listed_in_json_and_xml(client: TestClient) -> None:
    listed = client.get("/open311/v2/services.json").json()
    assert listed[0]["service_code"] == "voirie"
    assert listed[0]["service_name"] == "Voirie et propreté"
    xml = client.get("/open311/v2/services.xml")
    assert xml.headers["content-type"].startswith("text/xml")
    root = parse_xml(xml.content)
    assert root.tag == "services"
    assert root.find("service/service_code").text == "voirie"  # type: ignore[union-attr]
    definition = client.get("/open311/v2/services/voirie.json").json()
    assert definition == {"service_code": "voirie", "attributes": []}


@pytest.mark.usefixtures("open311", "voirie")
def test_a_report_becomes_a_web_case_and_is_read_back(
    client: TestClient, db_session: Session
) -> None:
    created = client.post("/open311/v2/requests.json", data=report())
    assert created.status_code == 201, created.text
    [answer] = created.json()
    case = db_session.scalar(select(Case).where(Case.external_system == "open311"))
    assert case is not None and case.origin_channel is Channel.WEB
    assert answer["service_request_id"].replace("-", "") == case.reference
    [record] = client.get(f"/open311/v2/requests/{answer['service_request_id']}.json").json()
    assert (record["status"], record["lat"], record["service_code"]) == ("open", 48.1113,
                                                                        "voirie")
    assert "Camille" not in str(record) and "example.fr" not in str(record)
    assert case.due_date is not None  # expected: the due day's start in Paris, not the server's
    assert record["expected_datetime"] == datetime.combine(
        case.due_date, time.min, ZoneInfo("Europe/Paris")).isoformat()
    case.status = CaseStatus.CLOSED
    db_session.flush()
    closed = client.get("/open311/v2/requests.xml", params={"status": "closed"})
    root = parse_xml(closed.content)
    assert root.tag == "service_requests"
    assert root.find("request/status").text == "closed"  # type: ignore[union-attr]
    assert client.get("/open311/v2/requests.json", params={"status": "open"}).json() == []


@pytest.mark.usefixtures("open311", "voirie")
@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "mauvaise"}, 403, "api_key"),
        ({"service_code": "piscine"}, 404, "service_code"),
        ({"service_code": None}, 400, "service_code"),
        ({"lat": None, "long": None}, 400, "localisation"),
        ({"lat": "abc"}, 400, "lat"),
        ({"long": "500"}, 400, "long"),
        ({"long": None}, 400, "lat et long"),
        ({"jurisdiction_id": "ailleurs"}, 404, "jurisdiction_id"),
        ({"first_name": None}, 400, "first_name"),
        ({"description": "Trou\u202e 21 ud"}, 400, "U+202E (inversion du sens d'écriture)"),
        ({"description": "Trou\x1b[2J"}, 400, "U+001B (échappement)"),
    ],
)
def test_bad_reports_get_the_standard_errors_and_change_nothing(
    client: TestClient, db_session: Session, changes: dict[str, Any], status: int, words: str
) -> None:
    response = client.post("/open311/v2/requests.json", data=report(**changes))
    assert response.status_code == status
    [problem] = response.json()
    assert problem["code"] == status and words in problem["description"]
    xml = client.post("/open311/v2/requests.xml", data=report(**changes))
    root = parse_xml(xml.content)
    assert root.tag == "errors"
    assert root.find("error/code").text == str(status)  # type: ignore[union-attr]
    assert db_session.scalar(select(Case)) is None


@pytest.mark.usefixtures("open311", "voirie")
def test_unknown_formats_ids_and_dates_are_refused(client: TestClient) -> None:
    assert client.get("/open311/v2/services.csv").status_code == 404
    assert client.get("/open311/v2/requests/ZZZZ.json").status_code == 400
    assert client.get("/open311/v2/requests.json", params={"start_date": "hier"}
                      ).status_code == 400
    assert client.get("/open311/v2/requests.json", params={"status": "pending"}
                      ).status_code == 400
    assert client.post("/open311/v2/requests.json", content=b"\xff\xfe",
                       headers={"content-type": "application/json"}).status_code == 403


@pytest.mark.usefixtures("open311")
def test_an_app_talks_to_the_real_server_over_loopback(live_server: Any) -> None:
    with live_server.session() as session:
        create_service(db_session=session, data=ServiceCreate(
            code="voirie", label="Voirie", announced_delay_days=5))
        session.commit()
    base = f"{live_server.url}/open311/v2"
    with httpx.Client(timeout=10) as app:
        assert app.get(f"{base}/services.json").json()[0]["service_code"] == "voirie"
        [created] = app.post(f"{base}/requests.json", data=report()).json()
        [record] = app.get(f"{base}/requests/{created['service_request_id']}.json").json()
    assert record["status"] == "open"
