"""The desk's feed over a real WebSocket: it says when the line drops and catches up when
the server comes back (the snapshot brings back the call in progress)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from crm_core.client import RelaisClient
from crm_core.database.engine import make_engine
from phone_desk.feed import KEEPALIVE_SECONDS, desk_feed, desk_url
from tests.support.live_server import free_port, serve
from tests.support.telephony import SECRETS_ENV, give_extension, post_event


@pytest.fixture
def server_engine(agents_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", SECRETS_ENV)
    engine = make_engine(agents_database_url)
    yield engine
    engine.dispose()


def test_desk_url() -> None:
    assert desk_url("https://relais.example.fr/") == "wss://relais.example.fr/api/v1/telephony/desk"
    assert desk_url("http://127.0.0.1:8000", "201") == (
        "ws://127.0.0.1:8000/api/v1/telephony/desk?extension=201")


def test_the_feed_survives_a_server_restart(server_engine: Engine) -> None:
    port = free_port()

    async def scenario() -> list[dict[str, Any]]:
        first_run = serve(server_engine, port=port)
        server = await asyncio.to_thread(first_run.__enter__)
        give_extension(server, "telephone", "201")
        with RelaisClient(server.url) as client:
            token = str(client.sign_in("telephone", "secret-pass")["access_token"])
        feed = desk_feed(server.url, token, min_backoff=0.05)
        try:
            assert (await anext(feed))["type"] == "snapshot"
            await asyncio.to_thread(post_event, server.url, "newCall", "restart-1",
                                    user=["201"])
            assert (await anext(feed))["type"] == "ring"
            await asyncio.to_thread(first_run.__exit__, None, None, None)
            # The server is gone: the feed says so instead of hanging.
            assert (await anext(feed))["type"] == "offline"
            second_run = serve(server_engine, port=port)
            await asyncio.to_thread(second_run.__enter__)
            try:
                while (message := await anext(feed))["type"] != "snapshot":
                    assert message["type"] == "offline"
            finally:
                await feed.aclose()
                await asyncio.to_thread(second_run.__exit__, None, None, None)
        finally:
            await feed.aclose()
        calls: list[dict[str, Any]] = message["calls"]
        return calls

    calls = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert [c["call"]["call_id"] for c in calls] == ["restart-1"]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                frozen: asyncio.Event) -> None:
    with contextlib.suppress(OSError):
        while data := await reader.read(65536):
            if frozen.is_set():
                return  # the bytes vanish, the socket stays open: a cut cable
            writer.write(data)
            await writer.drain()


def test_the_line_drops_within_seconds_when_the_server_vanishes(
    server_engine: Engine,
) -> None:
    """Issue 19: the line kept saying "en ligne" for ~20 s after the server died. Here the
    server stops answering without closing anything (a proxy that swallows the bytes)."""

    async def scenario() -> None:
        frozen = asyncio.Event()
        # Closed at the end whatever happened: a relay still reading when the scenario ends
        # is cancelled, and an unclosed stream would warn in a later test.
        streams: list[asyncio.StreamWriter] = []

        async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            streams.append(writer)
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", int(server.url.rsplit(":", 1)[1]))
            streams.append(upstream_writer)
            await asyncio.gather(_pipe(reader, upstream_writer, frozen),
                                 _pipe(upstream_reader, writer, frozen))

        proxy = await asyncio.start_server(relay, "127.0.0.1", 0)
        proxy_url = f"http://127.0.0.1:{proxy.sockets[0].getsockname()[1]}"
        with RelaisClient(server.url) as client:
            token = str(client.sign_in("telephone", "secret-pass")["access_token"])
        feed = desk_feed(proxy_url, token, min_backoff=0.05)  # the desk's own keepalive
        try:
            assert (await anext(feed))["type"] == "snapshot"
            frozen.set()
            assert (await anext(feed))["type"] == "offline"
        finally:
            await feed.aclose()
            proxy.close()
            for stream in streams:
                stream.close()
            await asyncio.gather(*(s.wait_closed() for s in streams), return_exceptions=True)

    with serve(server_engine) as server:
        give_extension(server, "telephone", "201")
        # Three keepalive periods (ping, pong awaited, close) fit well within the bound;
        # the former 15 s + 10 s (+ 10 s to close) did not.
        asyncio.run(asyncio.wait_for(scenario(), 5 * KEEPALIVE_SECONDS))


def test_the_feed_stops_when_the_session_ends(server_engine: Engine) -> None:
    """Signed out elsewhere: the desk says so in French and stops knocking with a dead token."""

    async def scenario() -> list[dict[str, Any]]:
        with serve(server_engine) as server:
            give_extension(server, "telephone", "201")
            with RelaisClient(server.url) as client:
                token = str(client.sign_in("telephone", "secret-pass")["access_token"])
                feed = desk_feed(server.url, token, min_backoff=0.05)
                try:
                    seen = [await anext(feed)]
                    await asyncio.to_thread(client.sign_out)
                    await asyncio.to_thread(post_event, server.url, "newCall", "gone-1",
                                            user=["201"])
                    seen += [message async for message in feed]
                finally:
                    await feed.aclose()
        return seen

    seen = asyncio.run(scenario())
    assert [message["type"] for message in seen] == ["snapshot", "session_ended"]
    assert seen[-1]["reason"] == "Session terminée : reconnectez-vous pour suivre les appels"


def test_a_line_the_server_will_not_follow_is_said_once_not_called_offline(
    server_engine: Engine,
) -> None:
    """A supervisor with no extension: the handshake is refused (403). The desk said
    « HORS LIGNE » and « Serveur refusant le poste (HTTP 403) : reconnexion… » for ever
    (outside test of issue 19); it now says why, in French, once, and stops asking."""

    async def scenario() -> list[dict[str, Any]]:
        with serve(server_engine) as server, RelaisClient(server.url) as client:
            token = str(client.sign_in("superviseur", "secret-pass")["access_token"])
            feed = desk_feed(server.url, token, min_backoff=0.05)
            try:
                return [message async for message in feed]
            finally:
                await feed.aclose()

    seen = asyncio.run(scenario())
    assert [message["type"] for message in seen] == ["refused"]
    assert "HTTP" not in seen[0]["reason"] and "--extension" in seen[0]["reason"]
