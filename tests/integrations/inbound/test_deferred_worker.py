"""Deferred events applied by real `relais worker` processes, on a committed database."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.cases.models import Case
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.interactions.models import Interaction
from integrations.inbound.deferred import accept
from integrations.inbound.service import Delivery
from integrations.models import InboxEvent
from tests import factories as factory_module
from tests.integrations.conftest import SECRET, event_body
from tests.support.clock import python_command

factories: Any = factory_module  # factory_boy is untyped


@pytest.fixture
def database(migrated_database_url: str, configure: Callable[..., None]) -> Iterator[
        tuple[str, sessionmaker[Session]]]:
    configure({"portail": {"secrets": [SECRET], "deferred": True}})
    engine = make_engine(migrated_database_url)
    factory = make_session_factory(engine)
    with factory() as db_session:
        factories.bind(db_session)
        factories.ServiceFactory(code="etat-civil", label="État civil")
        db_session.commit()
        factories.bind(None)
    yield migrated_database_url, factory
    engine.dispose()


def _letters(number: int) -> str:
    """12 -> "bc": a distinct name for each event, without the digits a name refuses."""
    return str(number).translate(str.maketrans("0123456789", "abcdefghij"))


def _received(factory: sessionmaker[Session], count: int) -> None:
    """`count` verified events in the inbox, as the route stores them."""
    with factory() as db_session:
        for n in range(count):
            body = event_body(f"DEM-{n}", given_name="Prénom " + _letters(n))
            accept(db_session=db_session, delivery=Delivery(
                source="portail", event_id=f"msg_{n}", body=body))
        db_session.commit()


def _worker(url: str, log: Path, batch: int = 10) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RELAIS_DATABASE_URL": url}
    with log.open("ab") as output:
        return subprocess.Popen(
            python_command("-m", "crm_core.app.launcher", "worker", "--batch", str(batch),
                           "--interval", "0.05"), env=env, stdout=output, stderr=subprocess.STDOUT)


def _counts(factory: sessionmaker[Session]) -> tuple[int, int, int, int]:
    """(events pending, events applied, cases, interactions)."""
    with factory() as db_session:
        def count(*where: Any, model: type = InboxEvent) -> int:
            return db_session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return (count(InboxEvent.payload.is_not(None)), count(InboxEvent.case_id.is_not(None)),
                count(model=Case), count(model=Interaction))


def _wait(factory: sessionmaker[Session], done: Callable[[tuple[int, int, int, int]], bool],
          seconds: float = 120) -> tuple[int, int, int, int]:
    deadline = time.monotonic() + seconds
    while not done(counts := _counts(factory)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return counts


def _consistent(factory: sessionmaker[Session], counts: tuple[int, int, int, int]) -> None:
    """Every applied event made exactly one case and one interaction, and no other did."""
    _pending, applied, cases, interactions = counts
    assert applied == cases == interactions
    with factory() as db_session:
        linked = db_session.scalar(select(func.count(func.distinct(InboxEvent.case_id))))
    assert linked == applied


def test_a_worker_killed_mid_batch_loses_nothing_and_applies_each_event_once(
    database: tuple[str, sessionmaker[Session]], tmp_path: Path
) -> None:
    url, factory = database
    _received(factory, 60)
    log = tmp_path / "worker.log"
    worker = _worker(url, log, batch=10)
    try:
        partial = _wait(factory, lambda c: c[1] >= 10)
        worker.send_signal(signal.SIGKILL)  # somewhere in a later batch, or between two
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert partial[1] >= 10, log.read_text()
    after_kill = _counts(factory)
    _consistent(factory, after_kill)
    assert after_kill[0] + after_kill[1] == 60  # every event either applied or still pending
    again = _worker(url, log)
    try:
        final = _wait(factory, lambda c: c[0] == 0)
    finally:
        again.terminate()
        again.wait(timeout=20)
    assert final[:2] == (0, 60), log.read_text()
    _consistent(factory, final)


def test_two_workers_apply_each_event_once(
    database: tuple[str, sessionmaker[Session]], tmp_path: Path
) -> None:
    url, factory = database
    _received(factory, 80)
    log = tmp_path / "workers.log"
    workers = [_worker(url, log, batch=8) for _ in range(2)]
    try:
        final = _wait(factory, lambda c: c[0] == 0)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=20)
    assert final[:2] == (0, 80), log.read_text()
    _consistent(factory, final)
