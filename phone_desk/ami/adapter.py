"""The AMI client: logs in, follows call events, reconnects with backoff for ever, and feeds
the generic events to a sink (the Relais server)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from dataclasses import dataclass

from phone_desk.ami.protocol import AmiProtocolError, format_message, read_banner, read_message
from phone_desk.ami.sink import EventSink
from phone_desk.ami.tracker import CallTracker

logger = logging.getLogger("relais.ami")


class AmiLoginRefused(ConnectionError):
    """Asterisk refused the manager user or its secret (manager.conf)."""


@dataclass
class AmiSettings:
    host: str
    port: int
    username: str
    secret: str
    min_backoff: float = 0.5
    max_backoff: float = 30.0
    ping_interval: float = 20.0
    timeout: float = 10.0


class AmiAdapter:
    def __init__(self, settings: AmiSettings, sink: EventSink, tracker: CallTracker | None = None):
        self.settings = settings
        self.sink = sink
        self.tracker = tracker or CallTracker()
        self._action_ids = itertools.count(1)
        self.connected = asyncio.Event()
        self.connections = 0
        self._writer: asyncio.StreamWriter | None = None

    async def run(self) -> None:
        """Runs until cancelled. A refused login is retried too, slowly (it may be fixed in
        manager.conf without restarting the adapter), and logged each time."""
        backoff = self.settings.min_backoff
        while True:
            try:
                await self._session()
                backoff = self.settings.min_backoff
            except AmiLoginRefused as exc:
                logger.error("AMI login refused: %s", exc)
                backoff = self.settings.max_backoff
            except (OSError, AmiProtocolError, TimeoutError) as exc:
                logger.warning("AMI connection lost (%s); reconnecting", exc)
            finally:
                self.connected.clear()
                await self._close()
            await asyncio.sleep(backoff * (1 + random.random() / 2))  # noqa: S311
            backoff = min(self.settings.max_backoff, backoff * 2)

    async def _session(self) -> None:
        s = self.settings
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(s.host, s.port), s.timeout
        )
        self._writer = writer
        banner = await asyncio.wait_for(read_banner(reader), s.timeout)
        logger.info("connected to %s (%s:%s)", banner, s.host, s.port)
        action_id = await self._send("Login", Username=s.username, Secret=s.secret,
                                     Events="call,agent")
        while True:
            answer = await asyncio.wait_for(read_message(reader), s.timeout)
            if answer.get("ActionID") == action_id and "Response" in answer:
                break
        if answer["Response"] != "Success":
            raise AmiLoginRefused(answer.get("Message", "Authentication failed"))
        self.connections += 1
        self.connected.set()
        pinger = asyncio.create_task(self._ping_forever())
        try:
            while True:
                message = await read_message(reader)
                for event in self.tracker.feed(message):
                    await self.sink.send(event)
        finally:
            pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pinger

    async def _send(self, action: str, **fields: str) -> str:
        assert self._writer is not None
        action_id = f"relais-{next(self._action_ids)}"
        self._writer.write(format_message({"Action": action, "ActionID": action_id, **fields}))
        await self._writer.drain()
        return action_id

    async def _ping_forever(self) -> None:
        """Keeps NAT and firewalls from dropping an idle connection; a dead peer surfaces as
        a write error, which ends the session."""
        while True:
            await asyncio.sleep(self.settings.ping_interval)
            try:
                await self._send("Ping")
            except (OSError, RuntimeError):
                if self._writer is not None:
                    self._writer.close()
                return

    async def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await self._writer.wait_closed()
            self._writer = None
