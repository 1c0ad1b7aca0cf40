"""Acknowledging deferred webhooks in groups (group commit).

A deferred source is answered once its verified body is stored. Storing each request on
its own cost a trip through the thread pool, a pooled connection and a commit per
webhook, which at a few hundred webhooks a second was most of the API's CPU. Here the
requests that arrive while one group is being written wait on the event loop and are
written together next: one multi-row insert, one commit (on PostgreSQL from the event loop
itself, `pg_acks.py`; on SQLite through one trip to the thread pool). A lone request
is written at once (no timer, no added latency); under load the groups grow by
themselves. Nobody is answered before the commit that holds their event.

A group that the database refuses as a whole for a reason other than availability is
written again one delivery at a time, so that one bad row never fails its neighbours; an
unavailable database is told to every request of the group (503), nothing stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Annotated, Protocol

import psycopg
from anyio import to_thread
from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from integrations.inbound import deferred
from integrations.inbound.schemas import IngestResult
from integrations.inbound.service import Delivery

logger = logging.getLogger("relais.integrations")
MAX_GROUP = 256  # one statement's worth; more waits for the next group

Sessions = Callable[[], AbstractContextManager[Session]]


@dataclass
class _Waiting:
    delivery: Delivery
    answer: asyncio.Future[IngestResult] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())


class AckStore(Protocol):
    """Writes one group in one transaction: one outcome per delivery, in order; raises
    what failed the transaction."""

    async def write(self, deliveries: list[Delivery]) -> list[deferred.Accepted]: ...

    async def close(self) -> None: ...


# Both stores' errors: SQLAlchemy's, and psycopg's for the asynchronous store.
_UNAVAILABLE = (OperationalError, psycopg.OperationalError)
_REFUSED = (DBAPIError, psycopg.DatabaseError)


class InboxAcks:
    """One per API process (`app.state.inbox_acks`), used from its event loop only."""

    def __init__(self, store: AckStore) -> None:
        self._store = store
        self._queue: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def accept(self, delivery: Delivery) -> IngestResult:
        """Stores a verified delivery with the others waiting; returns once committed.
        Raises what refused it (`EventIdReused`) or what failed the write."""
        waiting = _Waiting(delivery)
        self._queue.append(waiting)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write_queued())
        # Shielded: a request that goes away does not cancel its group's write.
        return await asyncio.shield(waiting.answer)

    async def close(self) -> None:
        await self._store.close()

    async def _write_queued(self) -> None:
        while self._queue:
            group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
            try:
                outcomes = await self._write_group([w.delivery for w in group])
            except Exception as exc:  # handed to every request of the group
                for waiting in group:
                    if not waiting.answer.done():
                        waiting.answer.set_exception(exc)
                continue
            for waiting, outcome in zip(group, outcomes, strict=True):
                if waiting.answer.done():
                    continue
                if isinstance(outcome, Exception):
                    waiting.answer.set_exception(outcome)
                else:
                    waiting.answer.set_result(outcome)

    async def _write_group(self, deliveries: list[Delivery]) -> list[deferred.Accepted]:
        try:
            return await self._store.write(deliveries)
        except _UNAVAILABLE:
            raise  # the database is away or busy: every request hears it (503)
        except _REFUSED:
            if len(deliveries) == 1:
                raise
            logger.warning("a group of %d webhooks was refused; storing them one by one",
                           len(deliveries))
        return [await self._write_alone(delivery) for delivery in deliveries]

    async def _write_alone(self, delivery: Delivery) -> deferred.Accepted:
        try:
            [outcome] = await self._store.write([delivery])
        except _REFUSED as exc:  # unavailable too: this one is told, the others go on
            return exc
        return outcome


class ThreadedStore:
    """Through SQLAlchemy, in the thread pool: SQLite (no asynchronous driver here), and
    tests, whose requests write through the test's own session."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def write(self, deliveries: list[Delivery]) -> list[deferred.Accepted]:
        return await to_thread.run_sync(self._write, deliveries)

    async def close(self) -> None:
        return None

    def _write(self, deliveries: list[Delivery]) -> list[deferred.Accepted]:
        with self._sessions() as db_session:
            try:
                outcomes = deferred.accept_many(db_session=db_session, deliveries=deliveries)
                db_session.commit()
            except BaseException:
                db_session.rollback()
                raise
        return outcomes


async def inbox_acks(request: Request) -> InboxAcks:
    """The process's group writer (a dependency, so that tests hand in their own)."""
    acks: InboxAcks = request.app.state.inbox_acks
    return acks


InboxAckGroups = Annotated[InboxAcks, Depends(inbox_acks)]
