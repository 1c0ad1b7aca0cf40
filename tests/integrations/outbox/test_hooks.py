from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role
from crm_core.cases import service as cases
from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case
from crm_core.channels import Channel
from integrations.models import OutboxEvent
from tests.crm_core.conftest import sign_in
from tests.integrations.conftest import SECRET, event_body, post_signed

COUNTER = Actor(username="accueil", role=Role.COUNTER)


@pytest.fixture
def delivering(configure: Callable[..., None]) -> None:
    configure({"portail": {"secrets": [SECRET], "outbound_url": "https://portail.example/hook",
                           "outbound_secret": SECRET}})


def _outbox(db_session: Session) -> list[OutboxEvent]:
    return list(db_session.scalars(select(OutboxEvent)))


@pytest.mark.usefixtures("delivering")
def test_a_counter_status_change_writes_the_outbox_in_the_same_flush(
    db_session: Session, factories: ModuleType
) -> None:
    case = factories.CaseFactory(external_system="portail", external_id="DEM-7")
    cases.update_case(db_session=db_session, actor=COUNTER, reference=case.reference,
                      status=CaseStatus.RESOLVED, channel=None, note="Acte remis au guichet")
    [event] = _outbox(db_session)
    assert (event.target, event.event_type, event.case_id) == (
        "portail", "case.status_changed", case.id)
    data: dict[str, Any] = event.payload["data"]
    assert (data["id"], data["status"], data["previous_status"], data["channel"]) == (
        "DEM-7", "resolved", "new", "counter")


@pytest.mark.usefixtures("delivering")
def test_nothing_is_queued_without_a_status_change_or_an_external_reference(
    db_session: Session, factories: ModuleType
) -> None:
    external = factories.CaseFactory(external_system="portail", external_id="DEM-8")
    local = factories.CaseFactory()
    cases.update_case(db_session=db_session, actor=COUNTER, reference=external.reference,
                      status=None, channel=None, note="Simple note")
    cases.update_case(db_session=db_session, actor=COUNTER, reference=local.reference,
                      status=CaseStatus.CLOSED, channel=None, note=None)
    assert _outbox(db_session) == []


def test_a_source_without_a_delivery_url_gets_nothing(
    db_session: Session, factories: ModuleType, portal: str
) -> None:
    case = factories.CaseFactory(external_system=portal, external_id="DEM-9")
    cases.update_case(db_session=db_session, actor=COUNTER, reference=case.reference,
                      status=CaseStatus.CLOSED, channel=None, note=None)
    assert _outbox(db_session) == []


@pytest.mark.usefixtures("delivering")
def test_the_api_change_and_its_outbox_row_commit_or_fail_together(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    agent = factories.AgentFactory(role=Role.PHONE)
    headers = sign_in(client, agent.username)
    case = factories.CaseFactory(external_system="portail", external_id="DEM-10",
                                 status=CaseStatus.CLOSED)
    refused = client.patch(f"/api/v1/cases/{case.reference}", headers=headers,
                           json={"status": "waiting_resident"})
    assert refused.status_code == 409
    assert _outbox(db_session) == []
    moved = client.patch(f"/api/v1/cases/{case.reference}", headers=headers,
                         json={"status": "in_progress", "note": "Rappel de l'usager"})
    assert moved.status_code == 200, moved.text
    [event] = _outbox(db_session)
    assert event.payload["data"]["channel"] == "phone"


@pytest.mark.usefixtures("delivering")
def test_changes_made_by_the_platform_itself_are_not_echoed_back(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    factories.ServiceFactory(code="etat-civil")
    post_signed(client, "portail", event_body())
    update = event_body(type_="case.updated", status="in_progress")
    assert post_signed(client, "portail", update, msg_id="msg_2").json()["status"] == "updated"
    assert _outbox(db_session) == []
    case = db_session.scalar(select(Case).where(Case.external_id == "DEM-1001"))
    assert case is not None
    assert [h.channel for h in case.history] == [Channel.WEB, Channel.WEB]
