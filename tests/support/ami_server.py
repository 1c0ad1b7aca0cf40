"""A small AMI server on 127.0.0.1 that speaks like Asterisk 18: banner, Login answer,
FullyBooted, Ping answers, and the call event blocks a test asks it to send."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

BANNER = b"Asterisk Call Manager/7.0.3\r\n"


def block(**fields: str) -> bytes:
    return "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in fields.items()).encode() + b"\r\n"


class AmiServer:
    def __init__(self, username: str = "relais", secret: str = "ami-secret") -> None:
        self.username, self.secret = username, secret
        self.clients: list[asyncio.StreamWriter] = []
        self.logins: list[dict[str, str]] = []
        self.pings = 0
        self.logged_in = asyncio.Event()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.drop_clients()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def drop_clients(self) -> None:
        for writer in self.clients:
            writer.close()
        self.clients.clear()
        self.logged_in.clear()

    async def emit(self, **fields: str) -> None:
        """One event block, as Asterisk writes it, to every logged-in client."""
        fields.setdefault("Privilege", "call,all")
        fields.setdefault("Timestamp", f"{time.time():.6f}")
        payload = block(**fields)
        for writer in self.clients:
            writer.write(payload)
            await writer.drain()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(BANNER)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                action = await self._read_action(reader)
                if action is None:
                    break
                await self._answer(action, writer)
        writer.close()

    async def _read_action(self, reader: asyncio.StreamReader) -> dict[str, str] | None:
        fields: dict[str, str] = {}
        while True:
            line = await reader.readline()
            if not line:
                return None
            text = line.decode().rstrip("\r\n")
            if not text:
                return fields
            key, _, value = text.partition(":")
            fields[key.strip()] = value.strip()

    async def _answer(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        action_id = action.get("ActionID", "")
        if action.get("Action") == "Login":
            self.logins.append(action)
            if (action.get("Username"), action.get("Secret")) != (self.username, self.secret):
                writer.write(block(Response="Error", ActionID=action_id,
                                   Message="Authentication failed"))
                await writer.drain()
                writer.close()
                return
            writer.write(block(Response="Success", ActionID=action_id,
                               Message="Authentication accepted"))
            writer.write(block(Event="FullyBooted", Privilege="system,all", Uptime="42",
                               LastReload="42", Status="Fully Booted"))
            await writer.drain()
            self.clients.append(writer)
            self.logged_in.set()
        elif action.get("Action") == "Ping":
            self.pings += 1
            writer.write(block(Response="Success", ActionID=action_id, Ping="Pong",
                               Timestamp=f"{time.time():.6f}"))
            await writer.drain()
        else:
            writer.write(block(Response="Error", ActionID=action_id,
                               Message="Invalid/unknown command"))
            await writer.drain()


@contextlib.asynccontextmanager
async def running_ami_server(**kwargs: str) -> AsyncIterator[AmiServer]:
    server = AmiServer(**kwargs)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


CHANNEL_FIELDS = {"ChannelState": "4", "ChannelStateDesc": "Ring", "ConnectedLineNum": "<unknown>",
                  "ConnectedLineName": "<unknown>", "Language": "fr", "AccountCode": "",
                  "Priority": "1"}


async def inbound_call(
    server: AmiServer, *, linked: str, caller: str, extension: str, queue: str = "allo-mairie",
    answer: bool = True, cause: str = "16",
) -> None:
    """The event blocks of an outside call through a queue to one agent, in Asterisk 18's
    order (trunk channel, queue join, dial, bridge, hangups)."""
    trunk = f"PJSIP/orange-{linked[-4:]}"
    agent = f"PJSIP/{extension}-{linked[-4:]}b"
    base = {**CHANNEL_FIELDS, "CallerIDNum": caller, "CallerIDName": "", "Linkedid": linked}
    await server.emit(Event="Newchannel", Channel=trunk, Context="from-trunk",
                      Exten="0299000000", Uniqueid=linked, **base)
    await server.emit(Event="QueueCallerJoin", Channel=trunk, Context="from-trunk",
                      Exten="0299000000", Uniqueid=linked, Queue=queue, Position="1",
                      Count="1", **base)
    await server.emit(Event="Newchannel", Channel=agent, Context="from-internal",
                      Exten=extension, Uniqueid=f"{linked}1", **base)
    await server.emit(Event="DialBegin", Channel=trunk, Context="from-trunk", Exten="s",
                      Uniqueid=linked, DestChannel=agent, DestChannelState="0",
                      DestChannelStateDesc="Down", DestCallerIDNum=extension,
                      DestCallerIDName="Agent", DestUniqueid=f"{linked}1",
                      DestLinkedid=linked, DialString=extension, **base)
    if answer:
        for channel, unique in ((trunk, linked), (agent, f"{linked}1")):
            await server.emit(Event="BridgeEnter", Channel=channel, Context="from-internal",
                              Exten="s", Uniqueid=unique, BridgeUniqueid="b-" + linked,
                              BridgeType="basic", BridgeTechnology="simple_bridge",
                              BridgeCreator="<unknown>", BridgeName="<unknown>",
                              BridgeNumChannels="2", BridgeVideoSourceMode="none", **base)
    for channel, unique in ((agent, f"{linked}1"), (trunk, linked)):
        await server.emit(Event="Hangup", Channel=channel, Context="from-trunk", Exten="s",
                          Uniqueid=unique, Cause=cause, **{"Cause-txt": "Normal Clearing"},
                          **base)
