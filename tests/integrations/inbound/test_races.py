"""The one handling of a lost race shared by the webhook routes (generic, w.c.s., DS): the
loser of two deliveries of the same event answers as the duplicate it is; a loser whose
twin cannot be found is refused with 409, to retry."""

from __future__ import annotations

from types import ModuleType

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.cases.models import Case
from crm_core.exceptions import Conflict
from integrations.exceptions import EventIdReused
from integrations.inbound import service
from integrations.inbound.races import commit_delivery
from integrations.inbound.schemas import CaseEvent, IngestResult
from tests.integrations.conftest import event_body
from tests.support.clock import PHONE_REGION, city_zone


@pytest.fixture(autouse=True)
def _service(factories: ModuleType) -> None:
    factories.ServiceFactory(code="etat-civil", label="État civil")


BODY = event_body()  # one body: the same event, delivered twice


def _delivery(event_id: str = "msg_1") -> tuple[service.Delivery, CaseEvent]:
    body = BODY
    return (service.Delivery(source="portail", event_id=event_id, body=body),
            CaseEvent.model_validate_json(body))


def _cases(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(Case)) or 0


def _won(db_session: Session) -> IngestResult:
    delivery, event = _delivery()
    return commit_delivery(db_session, delivery, lambda: service.receive(
        db_session=db_session, delivery=delivery, event=event, timezone=city_zone(),
        phone_region=PHONE_REGION))


def _lost_at_the_inbox(db_session: Session, delivery: service.Delivery,
                       event: CaseEvent) -> IngestResult:
    """What the twin did, having passed its duplicate check before the winner committed:
    the case written, then the inbox row's unique key broken."""
    result, case = service.apply_case_event(
        db_session=db_session, source=delivery.source, data=event.data,
        at=event.timestamp, timezone=city_zone(), phone_region=PHONE_REGION)
    service.record_delivery(db_session, delivery, case.id)
    return result


def test_the_loser_of_a_race_on_the_same_event_answers_duplicate(db_session: Session) -> None:
    first = _won(db_session)
    assert first.status == "created"
    delivery, event = _delivery()
    second = commit_delivery(db_session, delivery,
                             lambda: _lost_at_the_inbox(db_session, delivery, event))
    assert second.status == "duplicate"
    assert second.case_reference == first.case_reference
    assert _cases(db_session) == 1


def test_a_conflict_from_the_twin_case_is_the_same_duplicate(db_session: Session) -> None:
    first = _won(db_session)
    delivery, _ = _delivery()

    def twin_case_first() -> IngestResult:  # the case's own unique key broke first
        raise Conflict("Demande déjà enregistrée")

    second = commit_delivery(db_session, delivery, twin_case_first)
    assert (second.status, second.case_reference) == ("duplicate", first.case_reference)
    assert _cases(db_session) == 1


def test_a_lost_race_without_a_twin_is_refused_to_retry(db_session: Session) -> None:
    _won(db_session)
    delivery, event = _delivery("msg_2")  # another event id: no twin of this delivery
    other = service.Delivery(source="portail", event_id="msg_1", body=delivery.body)
    with pytest.raises(EventIdReused):
        commit_delivery(db_session, delivery,
                        lambda: _lost_at_the_inbox(db_session, other, event))
    assert _cases(db_session) == 1
