"""Migration 0023 keeps one open rights request of each kind per resident (a fourth
outside look at issue 21): requests already open twice keep the oldest open, the others
are closed as refused, naming the one kept; then the partial unique index holds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade
from crm_core.residents.models import Resident
from crm_core.space.enums import PrivacyRequestKind, PrivacyRequestStatus
from crm_core.space.models import PrivacyRequest


def test_requests_open_twice_keep_the_oldest_open(
    fresh_database_url: str, caplog: pytest.LogCaptureFixture,
) -> None:
    engine = make_engine(fresh_database_url)
    filed = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    try:
        upgrade(engine, "0022")
        with make_session_factory(engine)() as session:
            resident = Resident(given_name="Anna", family_name="Test", given_name_key="anna",
                                family_name_key="test", status="active")
            session.add(resident)
            session.flush()
            oldest, *later = (PrivacyRequest(
                resident_id=resident.id, kind=PrivacyRequestKind.ERASURE,
                message=f"demande {n}", filed_at=filed + timedelta(hours=n)) for n in range(3))
            other = PrivacyRequest(resident_id=resident.id,
                                   kind=PrivacyRequestKind.RECTIFICATION, message="nom",
                                   filed_at=filed)
            session.add_all([oldest, *later, other])
            session.commit()
            ids = oldest.id, [r.id for r in later], other.id
        upgrade(engine, "0023")
        with make_session_factory(engine)() as session:
            states = {r.id: r for r in session.scalars(select(PrivacyRequest))}
            assert states[ids[0]].status is PrivacyRequestStatus.OPEN
            assert states[ids[2]].status is PrivacyRequestStatus.OPEN
            for closed in ids[1]:
                assert states[closed].status is PrivacyRequestStatus.REFUSED
                assert str(ids[0]) in (states[closed].answer or "")
                assert states[closed].message is not None  # the text stays
            session.add(PrivacyRequest(resident_id=states[ids[0]].resident_id,
                                       kind=PrivacyRequestKind.ERASURE))
            with pytest.raises(IntegrityError):
                session.flush()
    finally:
        engine.dispose()
    assert sum("0023: rights request" in r.getMessage() for r in caplog.records) == 2
