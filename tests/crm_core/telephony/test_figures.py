from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.exceptions import InvalidInput
from crm_core.telephony import figures as figures_module
from tests.crm_core.conftest import sign_in
from tests.crm_core.telephony.conftest import PostEvent
from tests.support import clock

call_figures = partial(figures_module.call_figures, timezone="Europe/Paris")

# 10:00 in Paris on a winter day
TEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _call(post_event: PostEvent, call_id: str, *, queue: str, ring: datetime,
          answer_after: float | None, hang_after: float | None) -> None:
    post_event("newCall", call_id, queue=queue, timestamp=ring.isoformat(), user=["201"])
    if answer_after is not None:
        post_event("answer", call_id, queue=queue, user=["201"],
                   timestamp=(ring + timedelta(seconds=answer_after)).isoformat())
    if hang_after is not None:
        post_event("hangup", call_id, queue=queue,
                   timestamp=(ring + timedelta(seconds=hang_after)).isoformat())


@pytest.fixture
def calls(post_event: PostEvent) -> Iterator[None]:
    # The morning's calls, reported at noon that day: the server checks that a PBX's
    # timestamps are recent, so the clock is set there rather than left on today's date.
    with clock.starting_at(TEN + timedelta(hours=2)):
        _morning_calls(post_event)
        yield


def _morning_calls(post_event: PostEvent) -> None:
    _call(post_event, "f1", queue="etat-civil", ring=TEN, answer_after=10, hang_after=100)
    _call(post_event, "f2", queue="etat-civil", ring=TEN + timedelta(minutes=5),
          answer_after=30, hang_after=200)
    _call(post_event, "f3", queue="etat-civil", ring=TEN + timedelta(minutes=9),
          answer_after=None, hang_after=45)
    _call(post_event, "f4", queue="etat-civil", ring=TEN + timedelta(hours=1),
          answer_after=None, hang_after=None)
    _call(post_event, "f5", queue="dechets", ring=TEN, answer_after=5, hang_after=None)


def test_per_queue_per_hour(calls: None, db_session: Session) -> None:
    figures = call_figures(db_session=db_session, start=date(2026, 11, 30),
                           end=date(2026, 11, 30))
    rows = {(r["queue"], r["hour"]): r for r in figures["rows"]}
    ten = rows[("etat-civil", 10)]
    assert (ten["offered"], ten["answered"], ten["abandoned"]) == (3, 2, 1)
    assert ten["mean_time_to_answer_s"] == 20.0
    assert ten["max_time_to_answer_s"] == 30.0
    assert ten["answered_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert rows[("etat-civil", 11)]["in_progress"] == 1
    assert rows[("dechets", 10)]["answered"] == 1
    totals = {r["queue"]: r for r in figures["totals"]}
    assert totals["(toutes)"]["offered"] == 5
    assert totals["etat-civil"]["abandoned"] == 1
    only = call_figures(db_session=db_session, start=date(2026, 11, 30),
                        end=date(2026, 11, 30), queue="dechets")
    assert [r["queue"] for r in only["rows"]] == ["dechets"]
    assert call_figures(db_session=db_session, start=date(2026, 11, 29),
                        end=date(2026, 11, 29))["rows"] == []


def test_bad_periods_are_refused(db_session: Session) -> None:
    with pytest.raises(InvalidInput, match="précède"):
        call_figures(db_session=db_session, start=date(2026, 1, 2), end=date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="trop longue"):
        call_figures(db_session=db_session, start=date(2026, 1, 1), end=date(2026, 12, 1))


def test_only_supervisors_read_the_figures(
    calls: None, client: TestClient, factories: ModuleType
) -> None:
    url = "/api/v1/telephony/figures?start=2026-11-30&end=2026-11-30"
    phone = factories.AgentFactory(role=Role.PHONE, phone_extension="201")
    assert client.get(url, headers=sign_in(client, phone.username)).status_code == 403
    boss = factories.AgentFactory(role=Role.SUPERVISOR, site=phone.site)
    response = client.get(url, headers=sign_in(client, boss.username))
    assert response.status_code == 200, response.text
    assert len(response.json()["rows"]) == 3


def test_a_supervisor_sees_their_sites_calls_with_small_counts_suppressed(
    calls: None, client: TestClient, factories: ModuleType
) -> None:
    url = "/api/v1/telephony/figures?start=2026-11-30&end=2026-11-30"
    phone = factories.AgentFactory(role=Role.PHONE, phone_extension="201")
    boss = factories.AgentFactory(role=Role.SUPERVISOR, site=phone.site)
    figures = client.get(url, headers=sign_in(client, boss.username)).json()
    ten = next(r for r in figures["rows"] if (r["queue"], r["hour"]) == ("etat-civil", 10))
    # 3 offered, 2 answered, 1 abandoned: every count is under 5, and the shares and times
    # to answer that come from them go too.
    assert {k: ten[k] for k in ("offered", "answered", "abandoned", "answered_share",
                                "mean_time_to_answer_s", "max_time_to_answer_s")} == dict.fromkeys(
        ("offered", "answered", "abandoned", "answered_share", "mean_time_to_answer_s",
         "max_time_to_answer_s"))
    assert ten["in_progress"] == 0  # an empty cell singles nobody out
    assert "offered" in ten["suppressed"]
    elsewhere = factories.AgentFactory(role=Role.SUPERVISOR)  # another site: none of these
    other = client.get(url, headers=sign_in(client, elsewhere.username)).json()
    assert other["rows"] == [] and other["totals"] == []
