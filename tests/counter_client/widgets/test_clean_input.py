"""Text fields keep what is visible and drop what breaks cell widths (« ❤️ » left stray
border characters in tmux): crm_core/client/tui/clean_input.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from crm_core.client.tui.clean_input import LEFT_OUT, CleanInput, clean_typed
from crm_core.client.tui.french import FrenchApp
from tests.counter_client.support import counter_app, running, wait_for
from tests.support.live_server import free_port

pytestmark = pytest.mark.anyio


async def type_as_terminal(pilot: Pilot[Any], text: str) -> None:
    """Keys as the terminal's bytes become keys (`pilot.press` drops « ❤ »)."""
    from textual._xterm_parser import XTermParser

    for event in XTermParser().feed(text):
        pilot.app.post_message(event)
    await pilot.pause()


@pytest.mark.parametrize(("typed", "kept"), [
    ("❤\ufe0f", "❤"),  # emoji presentation selector
    ("☎\ufe0e", "☎"),  # text presentation selector
    ("👨\u200d👩\u200d👧", "👨👩👧"),  # joined family: one glyph in the terminal
    ("👍🏽", "👍"),  # skin tone
    ("1\ufe0f\u20e3", "1"),  # keycap
    ("a\u200bb\u2060c\ufeff", "abc"),  # zero-width space, word joiner, BOM
    ("\u202eevil", "evil"),  # direction override
    ("\u0301x", "x"),  # a combining mark on nothing
    ("Cafe\u0301", "Café"),  # decomposed accent: composed, kept
    ("Đặng Thị Hà, Müller, 中文, हिन्दी", "Đặng Thị Hà, Müller, 中文, हिन्दी"),
])
def test_clean_typed_keeps_what_is_seen(typed: str, kept: str) -> None:
    assert clean_typed(typed) == kept


def test_a_mark_typed_after_a_letter_stays_and_after_an_emoji_goes() -> None:
    assert clean_typed("\u0301", before="e") == "\u0301"
    assert clean_typed("\ufe0f", before="❤") == ""
    assert clean_typed("\u0301", before="❤") == ""


class _Field(FrenchApp):
    def compose(self) -> ComposeResult:
        yield CleanInput(id="note")
        yield CleanInput(id="secret", password=True)


async def test_a_typed_and_a_pasted_emoji_selector_do_not_reach_the_field() -> None:
    app = _Field()
    async with app.run_test(size=(40, 8)) as pilot:
        field = app.query_one("#note", CleanInput)
        field.focus()
        await type_as_terminal(pilot, "a❤\ufe0fb")  # « ❤️ »: two keys, ❤ then U+FE0F
        assert field.value == "a❤b"
        assert field.cursor_position == 3
        field.post_message(events.Paste("👍🏽\u200d x\ufe0f"))
        await pilot.pause()
        assert field.value == "a❤b👍 x"
        assert cell_len(field.value) == 7  # what Textual measures is what is drawn
        secret = app.query_one("#secret", CleanInput)
        secret.focus()
        await type_as_terminal(pilot, "❤\ufe0f")  # a password is kept exactly
        assert secret.value == "❤\ufe0f"


async def test_the_counters_fields_filter_what_is_typed(tmp_path: Path) -> None:
    app = counter_app(f"http://127.0.0.1:{free_port()}", tmp_path)
    async with running(app) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#username")))
        assert all(isinstance(field, CleanInput) for field in app.screen.query(Input))
        await pilot.click("#username")
        await type_as_terminal(pilot, "léa❤\ufe0f")
        assert app.screen.query_one("#username", Input).value == "léa❤"


async def test_the_agent_is_told_what_was_left_out_and_when_the_field_is_full() -> None:
    """A fifth outside look: a note lost its U+202E and its escape sequence, a subject its
    last 120 characters, and the agent read « enregistré » with no word of either."""
    app = _Field()
    async with app.run_test(size=(60, 8)) as pilot:
        field = app.query_one("#note", CleanInput)
        field.focus()
        field.post_message(events.Paste("❤\ufe0f ok"))  # a drawing only: nothing said
        await pilot.pause()
        assert field.value == "❤ ok" and not app._notifications
        field.post_message(events.Paste("\u202eevil \x1b[31m"))
        await pilot.pause()
        assert field.value == "❤ okevil [31m"
        told = [n.message for n in app._notifications]
        assert told == [LEFT_OUT]
        field.max_length = len(field.value) + 2
        await type_as_terminal(pilot, "abcdef")
        assert len(field.value) == field.max_length
        told = [n.message for n in app._notifications]
        assert any("Champ plein" in text and "n'a pas été prise" in text for text in told)
