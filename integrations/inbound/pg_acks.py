"""The acknowledgement groups on PostgreSQL, written from the event loop itself.

Through the thread pool, every group paid a hand-over to a thread and back, which on
this VM's system calls was a seventh of the API's CPU at a few hundred webhooks a second.
psycopg speaks asyncio: the group is written on the event loop without blocking it. The
groups are written one after the other, so one connection per process is all it takes
(no pool); it is opened on first use and again after the database went away.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import psycopg
from sqlalchemy.engine import URL

from integrations.inbound import deferred
from integrations.inbound.service import Delivery
from integrations.models import InboxEvent

logger = logging.getLogger("relais.integrations")

_COLUMNS = ("id", "source", "event_id", "body_sha256", "received_at", "attempts", "payload")
_INSERT = f"""
    INSERT INTO {InboxEvent.__tablename__} ({", ".join(_COLUMNS)})
    SELECT id, source, event_id, body_sha256, %(received_at)s, 0, payload
    FROM unnest(%(id)s::uuid[], %(source)s::text[], %(event_id)s::text[],
                %(body_sha256)s::text[], %(payload)s::text[])
         AS given(id, source, event_id, body_sha256, payload)
    ON CONFLICT (source, event_id) DO NOTHING
    RETURNING source, event_id
"""  # noqa: S608 - table and column names are the model's, values are parameters
_KNOWN = f"""
    SELECT inbox.source, inbox.event_id, inbox.body_sha256, "case".reference
    FROM {InboxEvent.__tablename__} AS inbox LEFT JOIN "case" ON "case".id = inbox.case_id
    WHERE (inbox.source, inbox.event_id) IN (
        SELECT * FROM unnest(%(source)s::text[], %(event_id)s::text[]))
"""  # noqa: S608 - as above


def conninfo(url: URL) -> str:
    """libpq's form of the engine's URL (SQLAlchemy names the driver in it)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PgAsyncStore:
    def __init__(self, url: URL) -> None:
        self._conninfo = conninfo(url)
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def write(self, deliveries: list[Delivery]) -> list[deferred.Accepted]:
        try:
            return await self._write(deliveries)
        except psycopg.OperationalError:
            await self._drop()  # the next group connects again
            raise

    async def close(self) -> None:
        await self._drop()

    async def _write(self, deliveries: list[Delivery]) -> list[deferred.Accepted]:
        group = deferred.Group.of(deliveries)
        rows = group.rows()
        connection = await self._connect()
        async with connection.transaction():
            cursor = await connection.execute(_INSERT, {
                "received_at": group.received_at,
                **{name: [row[name] for row in rows]
                   for name in ("id", "source", "event_id", "body_sha256", "payload")}})
            stored = {(source, event_id) for source, event_id in await cursor.fetchall()}
            known: dict[tuple[str, str], tuple[str, str | None]] = {}
            others = [key for key in group.first if key not in stored]
            if others:
                cursor = await connection.execute(_KNOWN, {
                    "source": [source for source, _ in others],
                    "event_id": [event_id for _, event_id in others]})
                known = {(source, event_id): (sha, reference)
                         for source, event_id, sha, reference in await cursor.fetchall()}
        return group.outcomes(stored, known)

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        loop = asyncio.get_running_loop()
        if self._connection is not None and (self._connection.closed or self._loop is not loop):
            await self._drop()
        if self._connection is None:
            self._connection = await psycopg.AsyncConnection.connect(
                self._conninfo, autocommit=True, options="-c TimeZone=UTC")
            self._loop = loop
        return self._connection

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            try:
                await connection.close()
            except (psycopg.Error, RuntimeError):  # gone already, or its loop closed
                logger.info("inbox acknowledgement connection dropped")
