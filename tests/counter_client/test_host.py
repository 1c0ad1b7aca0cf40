"""The counter's way to the server tells the app what happened with messages."""

from __future__ import annotations

import pytest
from textual.message import Message

from counter_client.host import UNEXPECTED, CounterHost
from counter_client.messages import LoadCatalogue, Say, SessionExpired
from counter_client.session_store import StoredSession
from crm_core.client import ApiError, ServerUnreachable

pytestmark = pytest.mark.anyio


class Listening(CounterHost):
    """Only what `call_server` needs, and an ear for every message posted to the app."""

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[Message] = []
        self.session = StoredSession(server_url="http://relais.test", token="t",
                                     username="camille", display_name="Camille Martin",
                                     site_code=None, expires_at="2030-01-01T00:00:00Z")

    def on_say(self, message: Say) -> None:
        self.heard.append(message)

    def on_session_expired(self, message: SessionExpired) -> None:
        self.heard.append(message)

    def on_load_catalogue(self, message: LoadCatalogue) -> None:
        self.heard.append(message)


def _raise(exc: Exception) -> None:
    raise exc


async def _heard_after(call: object) -> list[Message]:
    app = Listening()
    async with app.run_test() as pilot:
        app.call_server(call, lambda _: None)  # type: ignore[arg-type]
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
    return app.heard


async def test_a_401_with_a_session_posts_session_expired() -> None:
    heard = await _heard_after(lambda: _raise(ApiError(401, "unauthorized", "Non.", {})))
    assert [type(m) for m in heard] == [SessionExpired]


async def test_another_refusal_is_said_on_screen() -> None:
    heard = await _heard_after(lambda: _raise(ApiError(422, "invalid", "Champ manquant.", {})))
    assert [(type(m), getattr(m, "text", "")) for m in heard] == [(Say, "Champ manquant.")]


async def test_an_unexpected_exception_is_the_french_unexpected_line() -> None:
    heard = await _heard_after(lambda: _raise(KeyError("id")))
    assert [(type(m), getattr(m, "text", "")) for m in heard] == [(Say, UNEXPECTED)]


async def test_offline_says_why_and_reloads_nothing_yet() -> None:
    heard = await _heard_after(lambda: _raise(ServerUnreachable("Serveur injoignable.")))
    assert [type(m) for m in heard] == [Say]
