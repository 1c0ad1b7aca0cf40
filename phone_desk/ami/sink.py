"""Where the adapter's generic events go: the Relais server (signed HTTP), or memory (tests
of the mapping). Sending never blocks the AMI reader: events wait in a queue and are retried
until the server takes them (it is idempotent on the call and event, so a retry is safe)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any, Protocol

import httpx
import orjson

from crm_core.telephony.signing import sign

logger = logging.getLogger("relais.ami")
QUEUE_LIMIT = 10_000


class EventSink(Protocol):
    async def send(self, event: dict[str, Any]) -> None: ...

    async def aclose(self) -> None: ...


class MemorySink:
    """Keeps the events: for tests of the AMI mapping and for dry runs."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.changed = asyncio.Event()

    async def send(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        self.changed.set()

    async def aclose(self) -> None:
        return None

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        async with asyncio.timeout(timeout):
            while len(self.events) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.events


class HttpEventSink:
    """POSTs each event, signed with the PBX's secret, to `/api/v1/telephony/events`."""

    def __init__(
        self, server: str, *, pbx: str, secret: str,
        transport: httpx.AsyncBaseTransport | None = None, max_backoff: float = 30.0,
    ) -> None:
        self.url = server.rstrip("/") + "/api/v1/telephony/events"
        self.pbx, self._secret, self.max_backoff = pbx, secret, max_backoff
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(5.0), transport=transport)
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_LIMIT)
        self._worker: asyncio.Task[None] | None = None
        self.delivered = 0
        self.refused = 0

    async def send(self, event: dict[str, Any]) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._deliver_forever())
        if self._queue.full():
            dropped = self._queue.get_nowait()
            logger.error("event queue full, dropping %s of call %s", dropped.get("event"),
                         dropped.get("callId"))
        self._queue.put_nowait(event)

    async def drain(self, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            await self._queue.join()

    async def aclose(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        await self._http.aclose()

    async def _deliver_forever(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._deliver(event)
            finally:
                self._queue.task_done()

    async def _deliver(self, event: dict[str, Any]) -> None:
        backoff = 0.2
        body = orjson.dumps(event)
        while True:
            headers = sign(pbx=self.pbx, secret=self._secret, body=body)  # fresh timestamp
            headers["Content-Type"] = "application/json"
            try:
                response = await self._http.post(self.url, content=body, headers=headers)
            except httpx.TransportError as exc:
                logger.warning("Relais unreachable (%s), retrying", exc.__class__.__name__)
            else:
                if response.status_code < 300:
                    self.delivered += 1
                    return
                if response.status_code < 500 and response.status_code not in (408, 429):
                    # Refused for good (bad signature, invalid event): retrying changes nothing.
                    self.refused += 1
                    logger.error("Relais refused %s of call %s: %s", event.get("event"),
                                 event.get("callId"), response.text[:300])
                    return
                logger.warning("Relais answered %s, retrying", response.status_code)
            await asyncio.sleep(backoff * (1 + random.random() / 2))  # noqa: S311
            backoff = min(self.max_backoff, backoff * 2)
