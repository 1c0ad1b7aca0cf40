"""The delivery worker against a real HTTP receiver on 127.0.0.1, on committed databases."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role
from crm_core.cases import service as cases
from crm_core.cases.enums import CaseStatus
from crm_core.config import Settings
from crm_core.database.base import utcnow
from crm_core.database.engine import make_engine, make_session_factory
from integrations.enums import OutboxStatus
from integrations.models import DisabledTarget, OutboxEvent
from integrations.outbox.transport import HttpTransport
from integrations.outbox.worker import SCHEDULE, deliver_due, next_delay, webhook_id
from integrations.settings import IntegrationSettings
from tests import factories as factory_module
from tests.integrations.conftest import SECRET
from tests.integrations.receiver import Receiver, running_receiver
from tests.support.clock import python_command
from tests.support.fakes.transport import FakeTransport

COUNTER = Actor(username="accueil", role=Role.COUNTER)
factories: Any = factory_module  # factory_boy is untyped


@dataclass
class Database:
    url: str
    engine: Engine
    factory: sessionmaker[Session]


@pytest.fixture
def database(migrated_database_url: str) -> Iterator[Database]:
    engine = make_engine(migrated_database_url)
    yield Database(migrated_database_url, engine, make_session_factory(engine))
    engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver(SECRET) as running:
        yield running


@pytest.fixture
def settings(configure: Callable[..., None], receiver: Receiver,
             database: Database) -> IntegrationSettings:
    configure({"portail": {"secrets": [SECRET], "outbound_url": receiver.url,
                           "outbound_secret": SECRET}},
              outbound_allow_private="true", outbound_timeout_seconds="1",
              outbound_lease_seconds="3")
    city = Settings()
    database.factory.configure(info=city.session_info())  # as the server's factory
    return city.section(IntegrationSettings)


def closed_cases(database: Database, count: int) -> list[str]:
    """`count` platform cases closed at the counter: `count` committed outbox rows."""
    with database.factory() as db_session:
        factories.bind(db_session)
        service = factories.ServiceFactory()
        made = [factories.CaseFactory(service=service, external_system="portail",
                                      external_id=f"DEM-{n}") for n in range(count)]
        for case in made:
            cases.update_case(db_session=db_session, actor=COUNTER, reference=case.reference,
                              status=CaseStatus.CLOSED, channel=None, note=None)
        db_session.commit()
        factories.bind(None)
        ids = db_session.scalars(select(OutboxEvent.id)).all()
    return [webhook_id(i) for i in ids]


def rows(database: Database) -> list[OutboxEvent]:
    with database.factory() as db_session:
        return list(db_session.scalars(select(OutboxEvent)))


def make_due(database: Database) -> None:
    with database.factory() as db_session:
        db_session.execute(update(OutboxEvent).values(available_at=utcnow()))
        db_session.commit()


def http(settings: IntegrationSettings) -> HttpTransport:
    return HttpTransport(timeout=settings.outbound_timeout_seconds, allow_private=True)


def test_events_reach_the_platform_signed_and_are_marked_delivered(
    database: Database, receiver: Receiver, settings: IntegrationSettings
) -> None:
    ids = closed_cases(database, 3)
    report = deliver_due(session_factory=database.factory, transport=http(settings),
                         settings=settings)
    assert report.delivered == 3
    assert set(receiver.applied) == set(ids)
    assert receiver.refused == []
    payload = receiver.applied[ids[0]]
    assert (payload["type"], payload["data"]["status"]) == ("case.status_changed", "closed")
    assert {row.status for row in rows(database)} == {OutboxStatus.DELIVERED}
    again = deliver_due(session_factory=database.factory, transport=http(settings),
                        settings=settings)
    assert again.claimed == 0


def test_failures_are_retried_with_backoff_under_the_same_id(
    database: Database, receiver: Receiver, settings: IntegrationSettings
) -> None:
    [msg_id] = closed_cases(database, 1)
    receiver.answers = [500, 503]
    first = deliver_due(session_factory=database.factory, transport=http(settings),
                        settings=settings)
    assert first.retried == 1
    [row] = rows(database)
    assert row.status is OutboxStatus.PENDING
    assert row.available_at > utcnow()  # backing off: not due yet
    assert deliver_due(session_factory=database.factory, transport=http(settings),
                       settings=settings).claimed == 0
    make_due(database)
    deliver_due(session_factory=database.factory, transport=http(settings), settings=settings)
    make_due(database)
    deliver_due(session_factory=database.factory, transport=http(settings), settings=settings)
    [row] = rows(database)
    assert (row.status, row.attempts) == (OutboxStatus.DELIVERED, 3)
    assert receiver.received[msg_id] == 3
    assert list(receiver.applied) == [msg_id]


def test_the_backoff_schedule_spans_more_than_three_days_with_jitter() -> None:
    import random

    rng = random.Random(7)
    delays = [next_delay(n, rng).total_seconds() for n in range(1, len(SCHEDULE) + 1)]
    assert all(0.8 * base <= got <= 1.2 * base for got, base in zip(delays, SCHEDULE,
                                                                     strict=True))
    assert timedelta(seconds=sum(SCHEDULE)) > timedelta(hours=72)
    assert next_delay(99, rng).total_seconds() <= 1.2 * SCHEDULE[-1]
    assert next_delay(1, rng) != next_delay(1, rng)


def test_a_hanging_platform_times_out_and_is_retried(
    database: Database, receiver: Receiver, settings: IntegrationSettings
) -> None:
    closed_cases(database, 1)
    receiver.delay = 2.0  # beyond the 1 s timeout
    report = deliver_due(session_factory=database.factory, transport=http(settings),
                         settings=settings)
    assert report.retried == 1
    assert "Timeout" in (rows(database)[0].last_error or "")


def test_events_past_the_retry_window_fail_for_good(
    database: Database, settings: IntegrationSettings
) -> None:
    closed_cases(database, 1)
    with database.factory() as db_session:
        db_session.execute(update(OutboxEvent).values(created_at=utcnow() - timedelta(hours=81)))
        db_session.commit()
    report = deliver_due(session_factory=database.factory, transport=FakeTransport([500]),
                         settings=settings)
    assert report.failed == 1
    assert rows(database)[0].status is OutboxStatus.FAILED


def test_410_gone_disables_the_target(
    database: Database, receiver: Receiver, settings: IntegrationSettings
) -> None:
    closed_cases(database, 2)
    receiver.answers = [410]
    report = deliver_due(session_factory=database.factory, transport=http(settings),
                         settings=settings, batch=1)
    assert report.gone == 1
    later = deliver_due(session_factory=database.factory, transport=http(settings),
                        settings=settings)
    assert later.claimed == 0
    with database.factory() as db_session:
        assert db_session.get(DisabledTarget, "portail") is not None
    assert receiver.applied == {}


def test_private_addresses_are_refused_unless_allowed(
    database: Database, receiver: Receiver, settings: IntegrationSettings
) -> None:
    closed_cases(database, 1)
    guarded = HttpTransport(timeout=1, allow_private=False)
    report = deliver_due(session_factory=database.factory, transport=guarded, settings=settings)
    assert report.failed == 1
    assert "réseau privé" in (rows(database)[0].last_error or "")
    assert sum(receiver.received.values()) == 0


def test_two_workers_never_send_the_same_event(
    database: Database, receiver: Receiver, settings: IntegrationSettings
) -> None:
    ids = closed_cases(database, 40)
    receiver.delay = 0.01

    deadline = time.monotonic() + 60

    def work() -> None:
        # Until everything has arrived: how many passes that takes depends on who wins each
        # claim (and on SQLite's lock), not on what is being tested — no event twice.
        transport = http(settings)
        while set(receiver.applied) != set(ids) and time.monotonic() < deadline:
            deliver_due(session_factory=database.factory, transport=transport,
                        settings=settings, batch=5)
            time.sleep(0.01)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(receiver.applied) == set(ids)
    assert max(receiver.received.values()) == 1


def test_a_worker_killed_mid_batch_loses_nothing_and_the_effect_is_exactly_once(
    database: Database, receiver: Receiver, settings: IntegrationSettings, tmp_path: Path,
) -> None:
    ids = closed_cases(database, 6)
    receiver.delay = 0.5  # the platform applies each event half a second after receiving it
    env = {**os.environ, "RELAIS_DATABASE_URL": database.url}
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            python_command("-m", "crm_core.app.launcher", "worker", "--batch", "3",
                           "--interval", "0.1"), env=env, stdout=output, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while sum(receiver.received.values()) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)  # mid-wave: sent, not yet recorded
        worker.wait(timeout=10)
    assert sum(receiver.received.values()) == 3, log.read_text()
    time.sleep(0.7)  # the platform still applies what it had received
    assert len(receiver.applied) == 3
    assert {row.status for row in rows(database)} == {OutboxStatus.PENDING}  # nothing lost
    assert deliver_due(session_factory=database.factory, transport=http(settings),
                       settings=settings).claimed == 3  # the three never claimed
    time.sleep(settings.outbound_lease_seconds)  # the dead worker's lease runs out
    receiver.delay = 0
    deliver_due(session_factory=database.factory, transport=http(settings), settings=settings)
    assert set(receiver.applied) == set(ids)  # every event applied, once
    assert sorted(receiver.received.values()) == [1, 1, 1, 2, 2, 2]  # 3 sent again, same id
    assert {row.status for row in rows(database)} == {OutboxStatus.DELIVERED}
