"""A service's label (set by an administrator) and a request's subject (typed by an agent)
hold on one line with no hidden mark: refused in French, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.cases.models import Case, Service

Headers = Callable[[Role], dict[str, str]]
BAD = {"tab": "État\tcivil", "line feed": "État\ncivil", "carriage return": "État\rcivil",
       "override": "\u202elivic tatÉ", "format mark": "État\u2060civil", "vertical tab": "\x0b"}


@pytest.mark.parametrize("label", BAD.values(), ids=BAD.keys())
def test_a_service_label_is_one_visible_line(
    label: str, client: TestClient, as_role: Headers, db_session: Session
) -> None:
    answer = client.post("/api/v1/services", headers=as_role(Role.ADMIN), json={
        "code": "etat-civil", "label": label, "announced_delay_days": 5})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    detail = answer.json()["detail"]
    assert detail.startswith("label : ") and ("libellé" in detail or "vide" in detail), detail
    assert db_session.scalar(select(func.count()).select_from(Service)) == 0


def test_a_case_subject_is_one_visible_line(
    client: TestClient, as_role: Headers, db_session: Session, factories: ModuleType
) -> None:
    factories.ServiceFactory(code="voirie", label="Voirie", announced_delay_days=7)
    resident = factories.ResidentFactory()
    db_session.commit()
    answer = client.post("/api/v1/cases", headers=as_role(Role.PHONE), json={
        "resident_id": str(resident.id), "service_code": "voirie", "channel": "phone",
        "subject": "Nid-de-poule\u202e ruE"})
    assert answer.status_code == 422, answer.text
    assert "direction du texte" in answer.json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(Case)) == 0


@pytest.mark.parametrize("field", ["external_system", "external_id"])
def test_a_cases_external_reference_is_one_visible_line(
    field: str, client: TestClient, as_role: Headers, db_session: Session,
    factories: ModuleType,
) -> None:
    """Shown with the case (and sent back to the platform): no override, no escape."""
    factories.ServiceFactory(code="voirie", label="Voirie", announced_delay_days=7)
    resident = factories.ResidentFactory()
    db_session.commit()
    answer = client.post("/api/v1/cases", headers=as_role(Role.PHONE), json={
        "resident_id": str(resident.id), "service_code": "voirie", "channel": "phone",
        "subject": "Nid-de-poule", "external_system": "ds", "external_id": "123",
        field: "12\u202e3"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"].startswith(f"{field} : "), answer.json()
    assert db_session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_delay_out_of_bounds_names_the_field_that_was_sent(
    client: TestClient, as_role: Headers, db_session: Session
) -> None:
    """An outside look: the refusal named a field « delay » that no request carries."""
    answer = client.post("/api/v1/services", headers=as_role(Role.ADMIN), json={
        "code": "etat-civil", "label": "État civil", "announced_delay_days": -3})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "announced_delay_days", answer.text
    assert db_session.scalar(select(func.count()).select_from(Service)) == 0
