"""The AMI adapter against a loopback server that speaks AMI, then the whole pipeline:
AMI -> adapter -> signed HTTP -> a real Relais server -> the call in its database."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from crm_core.telephony.enums import CallStatus
from crm_core.telephony.models import Call
from phone_desk.ami import AmiAdapter, HttpEventSink, MemorySink
from phone_desk.ami.adapter import AmiSettings
from tests.support.ami_server import AmiServer, inbound_call, running_ami_server
from tests.support.live_server import LiveServer
from tests.support.telephony import PBX, SECRET


def _settings(server: AmiServer, secret: str = "ami-secret") -> AmiSettings:
    return AmiSettings(host="127.0.0.1", port=server.port, username="relais", secret=secret,
                       min_backoff=0.05, max_backoff=0.2, ping_interval=0.1, timeout=2)


def test_logs_in_follows_calls_and_reconnects() -> None:
    async def scenario() -> None:
        async with running_ami_server() as server:
            sink = MemorySink()
            adapter = AmiAdapter(_settings(server), sink)
            task = asyncio.create_task(adapter.run())
            try:
                await asyncio.wait_for(server.logged_in.wait(), 5)
                assert server.logins[0]["Username"] == "relais"
                await inbound_call(server, linked="1700000000.11", caller="0612345678",
                                   extension="201")
                events = await sink.wait_for(4)
                assert [e["event"] for e in events] == ["newCall", "newCall", "answer",
                                                        "hangup"]
                server.drop_clients()  # Asterisk restarts
                await asyncio.wait_for(server.logged_in.wait(), 5)
                await asyncio.wait_for(adapter.connected.wait(), 5)
                await inbound_call(server, linked="1700000000.12", caller="anonymous",
                                   extension="202", answer=False)
                events = await sink.wait_for(7)
                assert events[-1] == {**events[-1], "callId": "1700000000.12",
                                      "cause": "cancel"}
                await asyncio.sleep(0.3)
                assert server.pings >= 1
                assert adapter.connections == 2
            finally:
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task

    asyncio.run(asyncio.wait_for(scenario(), 30))


def test_a_refused_login_is_retried_without_following_events() -> None:
    async def scenario() -> None:
        async with running_ami_server() as server:
            sink = MemorySink()
            task = asyncio.create_task(AmiAdapter(_settings(server, "wrong"), sink).run())
            try:
                async with asyncio.timeout(5):
                    while len(server.logins) < 2:
                        await asyncio.sleep(0.05)
                assert not server.logged_in.is_set()
                assert sink.events == []
            finally:
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task

    asyncio.run(asyncio.wait_for(scenario(), 30))


def test_a_server_that_is_not_asterisk_is_refused() -> None:
    async def scenario() -> None:
        async def http_like(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            writer.close()

        other = await asyncio.start_server(http_like, "127.0.0.1", 0)
        port = other.sockets[0].getsockname()[1]
        settings = AmiSettings(host="127.0.0.1", port=port, username="u", secret="s",
                               min_backoff=0.05, max_backoff=0.1)
        adapter = AmiAdapter(settings, MemorySink())
        task = asyncio.create_task(adapter.run())
        await asyncio.sleep(0.4)
        assert adapter.connections == 0
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        other.close()
        await other.wait_closed()

    asyncio.run(asyncio.wait_for(scenario(), 30))


def test_ami_to_relais_end_to_end(pbx_secrets: None, live_server: LiveServer) -> None:
    async def scenario() -> None:
        async with running_ami_server() as server:
            sink = HttpEventSink(live_server.url, pbx=PBX, secret=SECRET)
            task = asyncio.create_task(AmiAdapter(_settings(server), sink).run())
            try:
                await asyncio.wait_for(server.logged_in.wait(), 5)
                await inbound_call(server, linked="1700000000.21", caller="06 12 34 56 78",
                                   extension="201")
                await inbound_call(server, linked="1700000000.22", caller="0299001122",
                                   extension="201", answer=False)
                async with asyncio.timeout(10):
                    while sink.delivered + sink.refused < 7:
                        await asyncio.sleep(0.05)
                assert sink.refused == 0
            finally:
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                await sink.aclose()

    asyncio.run(asyncio.wait_for(scenario(), 30))
    with live_server.session() as session:
        calls = {c.call_id: c for c in session.scalars(select(Call))}
    answered, abandoned = calls["1700000000.21"], calls["1700000000.22"]
    assert (answered.pbx, answered.status, answered.queue) == (PBX, CallStatus.COMPLETED,
                                                               "allo-mairie")
    assert (answered.remote_number, answered.answered_extension) == ("+33612345678", "201")
    assert answered.started_at <= answered.answered_at  # type: ignore[operator]
    assert (abandoned.status, abandoned.hangup_cause) == (CallStatus.ABANDONED, "cancel")
