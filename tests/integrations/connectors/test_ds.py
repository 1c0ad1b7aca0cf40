from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case
from integrations.connectors.ds.backend import HttpDsBackend
from integrations.connectors.ds.router import ds_backends
from integrations.connectors.ds.service import poll, to_event_data
from integrations.exceptions import MalformedEvent
from integrations.models import PollCursor
from integrations.settings import SourceConfig
from tests.integrations.conftest import connector_settings
from tests.integrations.connectors.ds_server import Ds, dossier, running_ds
from tests.support.clock import PHONE_REGION, city_zone
from tests.support.fakes.ds import FakeDsBackend

TOKEN = "jeton-api-ds"


@pytest.fixture
def ds() -> Iterator[Ds]:
    with running_ds(TOKEN) as server:
        yield server


@pytest.fixture
def cantine(configure: Callable[..., None], ds: Ds, factories: ModuleType,
            db_session: Session) -> SourceConfig:
    factories.ServiceFactory(code="scolaire")
    configure({"ds": {"kind": "ds", "api_url": ds.url, "token": TOKEN, "demarches": [4242],
                      "default_service": "scolaire"}})
    return connector_settings(db_session).webhook_sources["ds"]


def hint(client: TestClient, number: int, procedure: int = 4242) -> object:
    return client.post("/integrations/ds/ds", data={
        "procedure_id": str(procedure), "dossier_id": str(number), "state": "en_construction",
        "updated_at": "2026-11-30 10:00:00 +0100"})


def _cases(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(Case)) or 0


@pytest.mark.usefixtures("cantine")
def test_a_hint_is_read_back_through_graphql_with_the_token(
    client: TestClient, db_session: Session, ds: Ds
) -> None:
    ds.dossiers[101] = dossier(101)
    response = hint(client, 101)
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    case = db_session.scalar(select(Case).where(Case.external_id == "101"))
    assert case is not None
    assert (case.external_system, case.status) == ("ds", CaseStatus.NEW)
    assert "École Jules Ferry" in (case.description or "")
    assert ds.requests[0]["operationName"] == "getDossier"
    assert hint(client, 101).json()["status"] == "duplicate"  # type: ignore[attr-defined]


@pytest.mark.usefixtures("cantine")
def test_hints_that_cannot_be_trusted_change_nothing(
    client: TestClient, db_session: Session, ds: Ds
) -> None:
    ds.dossiers[7] = dossier(7, demarche=999)
    assert hint(client, 7, procedure=999).status_code == 404  # type: ignore[attr-defined]
    wrong = hint(client, 7)  # announced as 4242, belongs to 999
    assert wrong.status_code == 422  # type: ignore[attr-defined]
    missing = hint(client, 8)
    assert missing.json()["code"] == "platform_unavailable"  # type: ignore[attr-defined]
    garbage = client.post("/integrations/ds/ds", data={"procedure_id": "x", "dossier_id": "1"})
    assert garbage.status_code == 422
    assert client.post("/integrations/ds/ds", data={}).status_code == 422
    assert _cases(db_session) == 0


def test_a_wrong_token_is_a_clear_error_in_the_log_only(
    configure: Callable[..., None], client: TestClient, ds: Ds, db_session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The hint is unsigned: its caller may be anyone, and learns nothing of our side."""
    configure({"ds": {"kind": "ds", "api_url": ds.url, "token": "mauvais", "demarches": [4242],
                      "default_service": "scolaire"}})
    ds.dossiers[5] = dossier(5)
    with caplog.at_level(logging.WARNING, logger="relais.integrations"):
        response = hint(client, 5)
    assert response.status_code == 502  # type: ignore[attr-defined]
    assert "401" not in response.text  # type: ignore[attr-defined]
    assert "401" in caplog.text
    assert _cases(db_session) == 0


def test_a_network_error_is_never_shown_to_the_anonymous_caller(
    configure: Callable[..., None], client: TestClient, db_session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    configure({"ds": {"kind": "ds", "api_url": f"http://127.0.0.1:{port}/api/v2/graphql",
                      "token": TOKEN, "demarches": [4242], "default_service": "scolaire"}})
    with caplog.at_level(logging.WARNING, logger="relais.integrations"):
        response = hint(client, 5)
    assert response.status_code == 502  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert str(port) not in text and "127.0.0.1" not in text and "Errno" not in text
    assert "Connection refused" in caplog.text  # for the operator


def test_the_poll_pages_through_updates_and_resumes_from_its_cursor(
    db_session: Session, cantine: SourceConfig, ds: Ds
) -> None:
    for number in range(1, 6):
        ds.dossiers[number] = dossier(number, updated=f"2026-11-30T10:0{number}:00+01:00",
                                      prenom="Enfant " + "abcdef"[number])  # no digit in a name
    backend = HttpDsBackend(cantine, timeout=2)
    first = poll(db_session=db_session, source="ds", config=cantine, backend=backend,
                  timezone=city_zone(), phone_region=PHONE_REGION)
    assert (first.read, first.created) == (5, 5)
    assert sum(1 for r in ds.requests if r["variables"].get("after")) == 2  # three pages
    cursor = db_session.get(PollCursor, ("ds", "4242"))
    assert cursor is not None and cursor.updated_since.minute == 5
    ds.dossiers[2] = dossier(2, state="accepte", updated="2026-11-30T11:00:00+01:00",
                             prenom="Enfant " + "abcdef"[2])
    ds.requests.clear()
    second = poll(db_session=db_session, source="ds", config=cantine, backend=backend,
                  timezone=city_zone(), phone_region=PHONE_REGION)
    assert second.updated == 1 and second.created == 0
    assert ds.requests[0]["variables"]["updatedSince"] == "2026-11-30T09:04:00+00:00"
    case = db_session.scalar(select(Case).where(Case.external_id == "2"))
    assert case is not None and case.status is CaseStatus.RESOLVED


def test_an_older_version_never_overwrites_a_newer_one(
    app: FastAPI, client: TestClient, db_session: Session, cantine: SourceConfig
) -> None:
    fake = FakeDsBackend({3: dossier(3, state="en_instruction",
                                     updated="2026-11-30T12:00:00+01:00")})
    app.dependency_overrides[ds_backends] = lambda: (lambda _config: fake)
    hint(client, 3)
    fake.by_number[3] = dossier(3, state="en_construction", updated="2026-11-30T11:00:00+01:00")
    assert hint(client, 3).json()["status"] == "stale"  # type: ignore[attr-defined]
    case = db_session.scalar(select(Case).where(Case.external_id == "3"))
    assert case is not None and case.status is CaseStatus.IN_PROGRESS
    report = poll(db_session=db_session, source="ds", config=cantine, backend=fake,
                  timezone=city_zone(), phone_region=PHONE_REGION)
    assert report.read == 1 and report.updated == 0


def test_a_dossier_text_with_an_override_is_malformed_in_french() -> None:
    dossier = {"number": 7, "state": "en_construction", "demarche": {"number": 4242},
               "demandeur": {"prenom": "Camille", "nom": "Durand"},
               "champs": [{"label": "Motif", "stringValue": "Cantine\u202e 21 ud"}]}
    with pytest.raises(MalformedEvent) as refused:
        to_event_data(dossier, SourceConfig(kind="ds", default_service="scolaire"))
    assert "U+202E (inversion du sens d'écriture)" in refused.value.detail


@pytest.mark.usefixtures("cantine")
def test_a_hostile_title_is_a_malformed_event(
    client: TestClient, db_session: Session, ds: Ds
) -> None:
    ds.dossiers[55] = dossier(55)
    ds.dossiers[55]["demarche"]["title"] = "Cantine\t\u202escolaire"
    response = hint(client, 55)
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    assert response.json()["code"] == "malformed_event"  # type: ignore[attr-defined]
    assert _cases(db_session) == 0
