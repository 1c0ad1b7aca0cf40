"""Call messages reach the desks connected to *any* API process.

The PBX's event and the agent's WebSocket may land on different processes behind a load
balancer. On PostgreSQL the event's transaction sends the messages with `pg_notify` (so
they leave only if the event is committed), and every process LISTENs on one channel and
hands what it hears to its own `DeskHub`. On SQLite, the embedded single-process engine,
they go straight to the local hub after the commit.

A listener that loses its connection reconnects with backoff; desks miss what was said in
between and catch up from the snapshot they get when they reconnect.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Protocol

import orjson
import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from crm_core.telephony.hub import DeskHub

logger = logging.getLogger("relais.telephony")
CHANNEL = "relais_desk"
MAX_PAYLOAD = 7_900  # PostgreSQL refuses NOTIFY payloads of 8,000 bytes and more

Push = tuple[str, dict[str, Any]]


class DeskBroadcast(Protocol):
    def stage(self, db_session: Session, pushes: list[Push]) -> None:
        """Within the event's transaction, before it commits."""

    def committed(self, pushes: list[Push]) -> None:
        """After the commit, on the event loop's thread."""

    def start(self, loop: asyncio.AbstractEventLoop) -> None: ...

    def stop(self) -> None: ...


def encode(pushes: list[Push]) -> str:
    return orjson.dumps(pushes, default=str).decode()


class LocalBroadcast:
    """One process: the committed messages go to this process's desks."""

    def __init__(self, hub: DeskHub) -> None:
        self.hub = hub

    def stage(self, db_session: Session, pushes: list[Push]) -> None:
        pass

    def committed(self, pushes: list[Push]) -> None:
        for extension, message in pushes:
            self.hub.publish(extension, message)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        pass

    def stop(self) -> None:
        pass


class PostgresBroadcast:
    """Every process hears every message through LISTEN/NOTIFY."""

    def __init__(self, hub: DeskHub, conninfo: str, *, retry_seconds: float = 1.0) -> None:
        self.hub = hub
        self.conninfo = conninfo
        self.retry_seconds = retry_seconds
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._local = LocalBroadcast(hub)

    def stage(self, db_session: Session, pushes: list[Push]) -> None:
        if not pushes:
            return
        payload = encode(pushes)
        if len(payload.encode()) > MAX_PAYLOAD:
            logger.warning("desk message too large to broadcast (%d bytes): local desks only",
                           len(payload))
            return
        db_session.execute(text("SELECT pg_notify(:channel, :payload)"),
                           {"channel": CHANNEL, "payload": payload})

    def committed(self, pushes: list[Push]) -> None:
        if pushes and len(encode(pushes).encode()) > MAX_PAYLOAD:
            self._local.committed(pushes)  # what could not be broadcast reaches this process

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._thread = threading.Thread(target=self._listen, args=(loop,), daemon=True,
                                        name="relais-desk-listener")
        self._thread.start()
        # At startup only: desks connecting right away must not miss the first rings.
        if not self._listening.wait(5.0):
            logger.warning("desk listener not ready yet; it keeps trying")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        delay = self.retry_seconds
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    delay = self.retry_seconds
                    while not self._stop.is_set():
                        # A short wait: stopping waits for it (each test's server, each
                        # restart); an idle wake-up ten times a second costs nothing.
                        for notify in connection.notifies(timeout=0.1):
                            self._deliver(loop, notify.payload)
            except psycopg.Error:
                self._listening.clear()
                logger.warning("desk listener lost PostgreSQL; retrying in %.0f s", delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 30.0)

    def _deliver(self, loop: asyncio.AbstractEventLoop, payload: str) -> None:
        try:
            pushes = orjson.loads(payload)
        except orjson.JSONDecodeError:
            logger.warning("unreadable desk message ignored")
            return
        if loop.is_closed():
            return
        for extension, message in pushes:
            loop.call_soon_threadsafe(self.hub.publish, extension, message)


def broadcast_for(engine: Engine, hub: DeskHub) -> DeskBroadcast:
    if engine.dialect.name != "postgresql":
        return LocalBroadcast(hub)
    url = engine.url.set(drivername="postgresql")
    return PostgresBroadcast(hub, url.render_as_string(hide_password=False))
