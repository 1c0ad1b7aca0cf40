"""What the desk keeps when the server does not take a form (phone_desk/keeping.py)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from crm_core.client.telephony import PhoneClient
from phone_desk.app import make_app
from phone_desk.config import DeskSettings
from phone_desk.journal import DeskJournal
from phone_desk.screens.callback import CallbackScreen
from phone_desk.screens.desk import DeskScreen
from phone_desk.screens.sign_in import SignInScreen
from tests.counter_client.support import type_burst, type_text, wait_for
from tests.phone_desk.support import stop_feed
from tests.support.live_server import LiveServer
from tests.support.telephony import give_extension

pytestmark = pytest.mark.anyio


def _revoke(url: str, token: str) -> None:
    with contextlib.closing(PhoneClient(url, token=token)) as other:
        other.sign_out()  # the session ends elsewhere: the desk's token is refused now


async def test_a_call_back_saved_as_the_session_ends_is_kept_and_sent_after_sign_in(
    pbx_secrets: None, live_server: LiveServer, cleanup: contextlib.ExitStack,
    tmp_path: Path,
) -> None:
    # Outside look, issue 19: a 401 on saving dropped the form; what was typed was lost.
    give_extension(live_server, "telephone", "201")
    with contextlib.closing(PhoneClient(live_server.url)) as signer:
        token = str(signer.sign_in("telephone", "secret-pass")["access_token"])
    client = PhoneClient(live_server.url, token=token)
    cleanup.callback(client.close)
    journal = cleanup.enter_context(contextlib.closing(DeskJournal(tmp_path / "j.sqlite3")))
    app = make_app(DeskSettings(server_url=live_server.url, sync_interval_seconds=0.2),
                   client, journal=journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen)
                       and app.username == "telephone")
        await stop_feed(app)  # the form's save meets the end, not the live feed
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, CallbackScreen)
                       and app.focused is not None)
        await asyncio.to_thread(_revoke, live_server.url, token)
        await type_text(pilot, "0612345678")
        await pilot.press("enter")
        await type_text(pilot, "+2h")
        await pilot.press("enter")
        await type_text(pilot, "Rappeler pour le livret")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await wait_for(pilot, lambda: "reconnectez-vous" in str(
            app.screen.query_one("#message").render()))  # said after the first refresh
        said = str(app.screen.query_one("#message").render())
        assert "reconnectez-vous" in said and "1 élément gardé sur ce poste" in said, said
        assert journal.count(agent="telephone") == 1

        await type_burst(pilot, *"telephone", "tab", *"secret-pass", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))
        await wait_for(pilot, lambda: journal.count(agent="telephone") == 0)
        callbacks = await asyncio.to_thread(app.client.callbacks)
        assert [c["reason"] for c in callbacks] == ["Rappeler pour le livret"]
        await stop_feed(app)
