"""A call-back to someone who refused calls is not planned by mistake (outside test of
issue 19, point 6): the form warns and plans it only when the resident asks for it."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.widgets import Checkbox, Input

from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.message_line import MessageLine
from phone_desk.screens.call_forms import calls_refused
from phone_desk.screens.callback import CallbackScreen

pytestmark = pytest.mark.anyio

SMS_ONLY = {"resident": {"id": "r"}, "flags": ["no_phone_contact"], "contact_points": [
    {"kind": "phone", "value": "+33649337510", "contact_ways": ["sms"]}]}


def test_a_number_for_sms_only_is_not_one_to_call() -> None:
    assert calls_refused(SMS_ONLY, "+33649337510")
    assert calls_refused(SMS_ONLY, "+33299001122")  # another number: the file says no calls
    callable_ = {**SMS_ONLY, "flags": [], "contact_points": [
        {"kind": "phone", "value": "+33649337510", "contact_ways": ["call", "sms"]}]}
    assert not calls_refused(callable_, "+33649337510")
    assert not calls_refused(None, "+33649337510")  # nobody identified yet


class _Host(App[None]):
    def __init__(self, screen: CallbackScreen) -> None:
        super().__init__()
        self.form = screen
        self.answers: list[dict[str, Any] | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.form, self.answers.append)


async def test_the_form_refuses_until_the_resident_asks() -> None:
    app = _Host(CallbackScreen("+33649337510", city=CityTime(), calls_refused=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "refusé les appels" in str(app.screen.query_one("#refused").render())
        app.screen.query_one("#due", Input).value = "+30"
        app.screen.query_one("#reason", Input).value = "Acte de naissance"
        app.screen.query_one("#reason", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == []
        assert "Rappel non prévu" in str(app.screen.query_one(MessageLine).render())
        app.screen.query_one("#asked", Checkbox).value = True
        app.screen.query_one("#reason", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
    assert app.answers and app.answers[0] is not None
    assert app.answers[0]["reason"] == "Acte de naissance"
