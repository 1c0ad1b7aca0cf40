"""Sign in: the agent's username and password."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Input, Label, Static

from crm_core.client.errors import ClientError
from crm_core.client.tui.clean_input import CleanInput
from crm_core.client.tui.fields_in_order import FieldsInOrderScreen
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.tui.sign_in import sign_in_failure
from crm_core.client.types import Me
from phone_desk.host import DeskHost
from phone_desk.messages import SignedIn


class SignInScreen(FieldsInOrderScreen):
    def compose(self) -> ComposeResult:
        with Vertical(id="sign-in"):
            yield Static("Relais — Allô mairie", classes="title")
            yield Label("Identifiant de l'agent")
            yield CleanInput(id="username", placeholder="ex. telephone")
            yield Label("Mot de passe")
            yield Input(id="password", password=True)
            yield MessageLine(id="message")
        yield Footer()

    @property
    def desk(self) -> DeskHost:
        assert isinstance(self.app, DeskHost)
        return self.app

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()

    def say(self, text: str) -> None:
        """Why the agent is asked to sign in again (a session that ended)."""
        if self.is_attached:
            self.query_one(MessageLine).say(text, error=True)

    def _focus_first_empty(self) -> None:
        """Where to type again: the first empty field, else the password."""
        username = self.query_one("#username", Input)
        target = username if not username.value.strip() else self.query_one("#password",
                                                                              Input)
        target.focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        field = event.input.id
        self.when_typed(lambda: self._sign_in(field))

    def _sign_in(self, field: str | None) -> None:
        if not self.is_attached:
            return
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        if field == "username" and not password:
            self.focus_next()
            return
        if not username or not password:
            self.query_one(MessageLine).say("Indiquez votre identifiant et votre mot de passe.",
                                            error=True)
            self._focus_first_empty()
            return
        client = self.desk.client

        def sign_in() -> Me:
            client.sign_in(username, password)
            return client.me()

        def failed(exc: ClientError) -> None:
            self.query_one("#password", Input).value = ""
            self.query_one(MessageLine).say(sign_in_failure(exc), error=True)
            self._focus_first_empty()

        def signed_in(me: Me) -> None:
            self.app.post_message(SignedIn(me))

        self.desk.call_server(sign_in, signed_in, failed=failed, group="sign-in",
                              exclusive=True)
