"""The desk's way to the server tells the app a session ended with a message."""

from __future__ import annotations

import pytest
from textual.message import Message

from crm_core.client import ApiError
from crm_core.client.telephony import PhoneClient
from phone_desk.host import DeskHost
from phone_desk.messages import SessionEnded

pytestmark = pytest.mark.anyio


class Listening(DeskHost):
    def __init__(self, token: str | None) -> None:
        super().__init__()
        self.client = PhoneClient("http://relais.test", token=token)
        self.heard: list[Message] = []
        self.failures: list[str] = []

    def on_session_ended(self, message: SessionEnded) -> None:
        self.heard.append(message)


def _refused() -> None:
    raise ApiError(401, "unauthorized", "Session terminée.", {})


async def _run(app: Listening, *, keep_on_expiry: bool) -> None:
    async with app.run_test() as pilot:
        app.call_server(_refused, lambda _: None, keep_on_expiry=keep_on_expiry,
                        failed=lambda exc: app.failures.append(exc.message))
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()


async def test_a_401_with_a_token_posts_session_ended() -> None:
    app = Listening(token="t")
    await _run(app, keep_on_expiry=False)
    assert [type(m) for m in app.heard] == [SessionEnded]
    assert app.failures == []


async def test_a_401_on_a_form_keeps_what_was_typed_then_ends_the_session() -> None:
    app = Listening(token="t")
    await _run(app, keep_on_expiry=True)
    assert app.failures == ["Session terminée."]
    assert [type(m) for m in app.heard] == [SessionEnded]


async def test_a_401_without_a_token_is_a_plain_refusal() -> None:
    app = Listening(token=None)
    await _run(app, keep_on_expiry=False)
    assert app.heard == []
    assert app.failures == ["Session terminée."]
