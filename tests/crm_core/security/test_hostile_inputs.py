"""Inputs the schema fuzzing missed and that gave a 500: timezone-naive or date-only
instants, dates at the edges of the calendar, timestamps far beyond any real date. Each is
a French 4xx problem and writes nothing."""

from __future__ import annotations

from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.cases.models import Case
from crm_core.config import Settings
from crm_core.interactions.models import Interaction
from crm_core.telephony.models import Call
from tests.crm_core.security.world import Staff
from tests.support.telephony import SECRETS_ENV, cti, signed

NAIVE_OR_ABSURD = ["2026-12-01", "2026-12-01T10:00:00", "0001-01-01T00:00:00Z",
                   "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                   "1850-01-01T00:00:00Z"]


@pytest.fixture
def staff(db_session: Session, factories: ModuleType) -> Staff:
    return Staff.make(db_session)


def _problem(response: object) -> dict[str, object]:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["code"] == "invalid_input"
    return body


@pytest.mark.parametrize("before", NAIVE_OR_ABSURD)
def test_a_naive_date_only_or_absurd_before_on_the_timeline_is_a_4xx(
    client: TestClient, staff: Staff, factories: ModuleType, before: str
) -> None:
    resident = factories.ResidentFactory()
    response = client.get(f"/api/v1/residents/{resident.id}/interactions",
                          params={"before": before}, headers=staff.headers(Role.COUNTER))
    assert "date" in str(_problem(response)["detail"]) or "fuseau" in response.text


@pytest.mark.parametrize("field", ["occurred_at", "ended_at"])
@pytest.mark.parametrize("value", NAIVE_OR_ABSURD[2:])
def test_absurd_instants_in_a_body_are_a_4xx_and_write_nothing(
    client: TestClient, staff: Staff, factories: ModuleType, db_session: Session,
    field: str, value: str,
) -> None:
    resident = factories.ResidentFactory()
    response = client.post("/api/v1/interactions", headers=staff.headers(Role.COUNTER), json={
        "resident_id": str(resident.id), "channel": "counter", "outcome": "informed",
        field: value})
    assert response.status_code == 422, response.text
    assert db_session.scalar(select(func.count()).select_from(Interaction)) == 0


@pytest.mark.parametrize("value", NAIVE_OR_ABSURD[2:])
def test_an_absurd_opening_date_of_a_case_is_a_4xx(
    client: TestClient, staff: Staff, factories: ModuleType, db_session: Session, value: str
) -> None:
    resident = factories.ResidentFactory()
    service = factories.ServiceFactory()
    response = client.post("/api/v1/cases", headers=staff.headers(Role.COUNTER), json={
        "resident_id": str(resident.id), "service_code": service.code, "subject": "Acte",
        "opened_at": value})
    assert response.status_code == 422, response.text
    assert db_session.scalar(select(func.count()).select_from(Case)) == 0


@pytest.mark.parametrize("timestamp", [1e20, -1e20, "1e300", 253402300800,
                                       "9999-12-31T23:59:59-14:00", "3000-01-01T00:00:00Z"])
def test_a_pbx_timestamp_far_beyond_any_real_date_is_a_4xx(
    client: TestClient, db_session: Session, monkeypatch: pytest.MonkeyPatch,
    timestamp: object,
) -> None:
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", SECRETS_ENV)
    client.app.state.settings = Settings()  # type: ignore[attr-defined]
    body, headers = signed(cti("newCall", "c-far", user=["201"], timestamp=timestamp))
    response = client.post("/api/v1/telephony/events", content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert db_session.scalar(select(func.count()).select_from(Call)) == 0


@pytest.mark.parametrize("bounds", [{"from": "0001-01-01"}, {"to": "9999-12-31"},
                                    {"from": "9999-12-31", "to": "9999-12-31"}])
def test_report_periods_at_the_edges_of_the_calendar_are_a_4xx(
    client: TestClient, staff: Staff, bounds: dict[str, str]
) -> None:
    response = client.get("/api/v1/reports/activity", params=bounds,
                          headers=staff.headers(Role.SUPERVISOR))
    assert response.status_code < 500, response.text
