"""Deferred webhooks acknowledged in groups: one insert and one commit for the requests
waiting together, each answered with its own outcome, none before its commit."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import httpx
import psycopg
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from crm_core.database.engine import make_engine
from integrations.inbound.acks import InboxAcks, ThreadedStore
from integrations.inbound.deferred import accept, accept_many
from integrations.inbound.pg_acks import PgAsyncStore
from integrations.inbound.schemas import IngestResult
from integrations.inbound.service import Delivery
from integrations.models import InboxEvent
from integrations.webhooks.signature import signed_headers
from tests.integrations.conftest import SECRET, event_body
from tests.support.live_server import free_port


def _delivery(event_id: str, body: bytes = b'{"v": 1}', source: str = "portail") -> Delivery:
    return Delivery(source=source, event_id=event_id, body=body)


def _stored(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(InboxEvent)) or 0


def _statuses(outcomes: list[Any]) -> list[str]:
    return [o.status if isinstance(o, IngestResult) else type(o).__name__ for o in outcomes]


def test_a_group_stores_new_ids_once_and_tells_twins_from_reused_ids(
    db_session: Session,
) -> None:
    accept(db_session=db_session, delivery=_delivery("known"))
    outcomes = accept_many(db_session=db_session, deliveries=[
        _delivery("new"), _delivery("new"), _delivery("new", b'{"v": 2}'),
        _delivery("known"), _delivery("known", b'{"v": 2}'), _delivery("other"),
    ])
    assert _statuses(outcomes) == ["accepted", "duplicate", "EventIdReused", "duplicate",
                                   "EventIdReused", "accepted"]
    assert _stored(db_session) == 3
    stored = db_session.scalar(select(InboxEvent).where(InboxEvent.event_id == "new"))
    assert stored is not None and stored.payload == '{"v": 1}'  # the first body, kept


@contextmanager
def _counted(db_session: Session, opened: list[int]) -> Iterator[Session]:
    opened.append(1)
    yield db_session


def _accept_all(acks: InboxAcks, deliveries: list[Delivery]) -> list[Any]:
    async def together() -> list[Any]:
        return await asyncio.gather(*(acks.accept(d) for d in deliveries),
                                    return_exceptions=True)

    return asyncio.run(together())


def test_requests_waiting_together_share_one_transaction(db_session: Session) -> None:
    opened: list[int] = []
    acks = InboxAcks(ThreadedStore(lambda: _counted(db_session, opened)))
    outcomes = _accept_all(acks, [_delivery(f"e{n}") for n in range(20)] + [_delivery("e3")])
    assert _statuses(outcomes) == ["accepted"] * 20 + ["duplicate"]
    assert len(opened) == 1
    assert _stored(db_session) == 20
    assert _statuses(_accept_all(acks, [_delivery("e21")])) == ["accepted"]  # alone: at once
    assert len(opened) == 2


def test_a_row_the_database_refuses_fails_alone(db_session: Session) -> None:
    acks = InboxAcks(ThreadedStore(lambda: _counted(db_session, [])))
    broken = _delivery("bad", source=cast(str, None))  # NOT NULL refuses it on both engines
    outcomes = _accept_all(acks, [_delivery("a"), broken, _delivery("b")])
    assert _statuses(outcomes) == ["accepted", "IntegrityError", "accepted"]
    assert isinstance(outcomes[1], IntegrityError)
    assert _stored(db_session) == 2


def test_an_unavailable_database_is_told_to_every_request_of_the_group() -> None:
    def down() -> Any:
        raise OperationalError("connect", {}, Exception("connection refused"))

    outcomes = _accept_all(InboxAcks(ThreadedStore(down)), [_delivery("a"), _delivery("b")])
    assert [type(o) for o in outcomes] == [OperationalError, OperationalError]


@pytest.fixture
def deferred_portal(configure: Callable[..., None]) -> None:
    configure({"portail": {"kind": "standard", "secrets": [SECRET], "deferred": True}})


def test_concurrent_deliveries_to_a_real_server_are_each_answered(
    deferred_portal: None, live_server: Any
) -> None:
    bodies = [event_body(f"DEM-{n}") for n in range(24)]
    sent = [(f"msg_{n}", body) for n, body in enumerate(bodies)]
    sent += [("msg_3", bodies[3]), ("msg_5", bodies[6])]  # a redelivery, a reused id

    async def post_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
            return await asyncio.gather(*(
                client.post("/integrations/webhooks/portail", content=body,
                            headers=signed_headers(secrets_=[SECRET], msg_id=msg_id,
                                                   body=body.decode()))
                for msg_id, body in sent))

    answers = asyncio.run(post_all())
    assert Counter(r.status_code for r in answers) == {202: 24, 200: 1, 409: 1}
    assert {r.json()["status"] for r in answers if r.status_code == 200} == {"duplicate"}
    refused = next(r for r in answers if r.status_code == 409)
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "event_id_reused"
    with live_server.session() as db_session:
        assert _stored(db_session) == 24
        ids = set(db_session.scalars(select(InboxEvent.event_id)))
    assert ids == {f"msg_{n}" for n in range(24)}



@pytest.fixture
def pg_url(engine: Engine, migrated_database_url: str) -> Iterator[URL]:
    """A migrated PostgreSQL database of its own: the asynchronous store commits."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the asynchronous store is PostgreSQL's (SQLite goes through threads)")
    own = make_engine(migrated_database_url)
    yield own.url
    own.dispose()


def _pg_stored(url: URL) -> set[str]:
    own = make_engine(url.render_as_string(hide_password=False))
    with own.connect() as connection:
        found = set(connection.scalars(select(InboxEvent.event_id)))
    own.dispose()
    return found


def _with_store(store: PgAsyncStore, deliveries: list[list[Delivery]]) -> list[list[Any]]:
    async def groups() -> list[list[Any]]:
        acks = InboxAcks(store)
        try:
            return [await asyncio.gather(*(acks.accept(d) for d in group),
                                         return_exceptions=True) for group in deliveries]
        finally:
            await acks.close()

    return asyncio.run(groups())


def test_postgresql_groups_are_written_from_the_event_loop(pg_url: URL) -> None:
    first, second = _with_store(PgAsyncStore(pg_url), [
        [_delivery("a"), _delivery("b"), _delivery("a"), _delivery("b", b'{"v": 2}')],
        [_delivery("a"), _delivery("a", b'{"v": 3}'), _delivery("c"),
         _delivery("bad", source=cast(str, None))],
    ])
    assert _statuses(first) == ["accepted", "accepted", "duplicate", "EventIdReused"]
    assert _statuses(second) == ["duplicate", "EventIdReused", "accepted", "NotNullViolation"]
    assert _pg_stored(pg_url) == {"a", "b", "c"}


def test_postgresql_out_of_reach_is_a_503_and_the_store_connects_again(pg_url: URL) -> None:
    [outcomes] = _with_store(PgAsyncStore(pg_url.set(port=free_port())),  # nobody there
                             [[_delivery("a"), _delivery("b")]])
    assert [type(o) for o in outcomes] == [psycopg.OperationalError] * 2

    own = make_engine(pg_url.render_as_string(hide_password=False))

    def cut_connections() -> None:  # what a database restart does to the store's
        with own.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"))

    async def restarted() -> list[Any]:
        acks = InboxAcks(PgAsyncStore(pg_url))
        try:
            before = await acks.accept(_delivery("a"))
            await asyncio.to_thread(cut_connections)
            lost = await asyncio.gather(acks.accept(_delivery("b")), return_exceptions=True)
            return [before, *lost, await acks.accept(_delivery("c"))]
        finally:
            await acks.close()

    before, lost, after = asyncio.run(restarted())
    own.dispose()
    assert (before.status, after.status) == ("accepted", "accepted")
    assert isinstance(lost, psycopg.OperationalError)
    assert _pg_stored(pg_url) == {"a", "c"}  # the lost one was told, and never stored
