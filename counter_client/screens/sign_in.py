"""Sign in: agent, password, site. The token is then kept for the day."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from counter_client.messages import SignedIn
from counter_client.screens.base import CounterScreen
from crm_core.client.errors import ClientError
from crm_core.client.tui.clean_input import CleanInput
from crm_core.client.tui.fields_in_order import FieldsInOrderScreen
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.tui.sign_in import sign_in_failure


class SignInScreen(FieldsInOrderScreen, CounterScreen):
    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason  # why the session ended, shown once the screen is there

    def compose(self) -> ComposeResult:
        with Vertical(id="sign-in"):
            yield Static("Relais — Accueil des usagers", classes="title")
            yield Label("Identifiant de l'agent")
            yield CleanInput(id="username", placeholder="ex. accueil")
            yield Label("Mot de passe")
            yield CleanInput(id="password", password=True)
            yield Label("Site d'accueil (code, facultatif)")
            yield CleanInput(id="site", placeholder="votre site habituel si vide")
            yield MessageLine(id="message")
            yield Static("Entrée : se connecter   Tab : champ suivant   F1 : aide",
                         classes="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()
        if self.reason:
            self.say(self.reason, error=True)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        field = event.input.id
        self.when_typed(lambda: self._sign_in(field))

    def _sign_in(self, field: str | None) -> None:
        if not self.is_attached:
            return
        if field != "site" and not self.query_one("#password", Input).value:
            self.focus_next()
            return
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        site = self.query_one("#site", Input).value.strip() or None
        if not username or not password:
            self.say("Indiquez votre identifiant et votre mot de passe.", error=True)
            self._focus_after_error()
            return
        self.say("Connexion…")
        client = self.counter.client

        def done(session: dict[str, Any]) -> None:
            self.app.post_message(SignedIn(session, username))

        def failed(exc: ClientError) -> None:
            if not self.is_attached:
                return
            self.query_one("#password", Input).value = ""
            self.say(sign_in_failure(exc), error=True)
            self._focus_after_error()

        def sign_in() -> dict[str, Any]:
            session = client.sign_in(username, password, site=site)
            if session.get("password_change_required"):
                # Someone else set the password: the session may only change it, which
                # this app cannot; the server's refusal says so, and how, in French.
                try:
                    client.me()
                finally:
                    client.sign_out()
            # The city's zone, in which the apps show every date (kept with the session).
            session["timezone"] = client.me().get("timezone")
            return session

        self.counter.call_server(sign_in, done, failed=failed, group="sign-in",
                                 exclusive=True)

    def _focus_after_error(self) -> None:
        """The first empty field (identifier, then password), else the password: the
        agent types again where something is missing, not in the site field."""
        username = self.query_one("#username", Input)
        password = self.query_one("#password", Input)
        (username if not username.value.strip() else password).focus()
