"""Log the call: reason, outcome, and the case it concerns (an open one, a new one, none)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Input, Label, Select

from crm_core.client.tui.clean_input import CleanInput
from crm_core.client.tui.discard import GuardedForm
from crm_core.client.tui.french import Choice
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.tui.plain import plain
from crm_core.client.types import Service
from phone_desk.drafts import DraftForm, restore_fields
from phone_desk.labels import CALL_OUTCOMES

NO_CASE = "-"
NEW_CASE = "+"


class LogCallScreen(DraftForm, GuardedForm[dict[str, Any]]):
    BINDINGS = [  # noqa: RUF012
        Binding("ctrl+s", "save", "Enregistrer", priority=True),
    ]

    DRAFT_NAME = "Votre appel"

    def __init__(self, open_cases: Sequence[Mapping[str, Any]],
                 services: Sequence[Mapping[str, Any]], *,
                 typed: dict[str, Any] | None = None, refusal: str = "",
                 draft: dict[str, Any] | None = None) -> None:
        super().__init__()
        # Being typed when the session ended elsewhere: the fields as they were.
        self.draft = draft or {}
        self.open_cases = open_cases
        self.services = services
        # Opened again after the server refused it (F7, C): what was typed, and why.
        self.typed = typed or {}
        self.refusal = refusal

    def compose(self) -> ComposeResult:
        cases = [("Aucune demande", NO_CASE), ("Nouvelle demande…", NEW_CASE)] + [
            (plain(f"{c.get('display_reference') or c['reference']} — {c.get('subject', '')}"),
             str(c["reference"])) for c in self.open_cases
        ]
        typed_case = self.typed.get("case_reference")
        if typed_case and typed_case not in {value for _, value in cases}:
            cases.append((plain(str(typed_case)), str(typed_case)))  # the one it named
        with Vertical(classes="form"):
            yield Label("Motif de l'appel")
            yield CleanInput(id="reason", placeholder="ce que l'usager demande")
            yield Label("Résultat")
            yield Choice(CALL_OUTCOMES, id="outcome", value="informed", allow_blank=False)
            yield Label("Demande concernée")
            yield Choice(cases, id="case", value=NO_CASE, allow_blank=False)
            yield Label("Service (nouvelle demande)")
            yield Choice(self._service_options(self.services), id="service",
                         prompt="Choisir le service")
            yield Label("Objet (nouvelle demande)")
            yield CleanInput(id="subject")
            yield MessageLine(id="form-message")
            yield Button("Enregistrer (Ctrl+S)", id="save", variant="primary")

    def on_mount(self) -> None:
        if self.typed:
            self._fill(self.typed)
        if self.refusal:
            self.query_one(MessageLine).say(self.refusal, error=True)
        restore_fields(self, self.draft)
        self.query_one("#reason", Input).focus()

    def _fill(self, typed: dict[str, Any]) -> None:
        self.query_one("#reason", Input).value = str(typed.get("reason") or "")
        if typed.get("outcome") in {value for _, value in CALL_OUTCOMES}:
            self.query_one("#outcome", Select).value = typed["outcome"]
        new_case = typed.get("new_case") or {}
        case = (NEW_CASE if new_case else typed.get("case_reference")) or NO_CASE
        self.query_one("#case", Select).value = str(case)
        if new_case.get("service_code") in {s["code"] for s in self.services}:
            self.query_one("#service", Select).value = new_case["service_code"]
        self.query_one("#subject", Input).value = str(new_case.get("subject") or "")

    def typed_something(self) -> bool:
        # Text given back after a refusal was typed by the agent: Escape asks too.
        return bool(self.typed or self.draft) or super().typed_something()

    @staticmethod
    def _service_options(services: Sequence[Mapping[str, Any]]) -> list[tuple[Text, str]]:
        return [(plain(s["label"]), str(s["code"])) for s in services]

    def show_services(self, services: list[Service]) -> None:
        """The server's list, fetched as the form opened; a service already chosen stays
        chosen if it is still offered."""
        if services == self.services:
            return
        self.services = services
        choice = self.query_one("#service", Select)
        chosen = choice.value
        if chosen is Select.BLANK:  # a kept draft's service, offered again only now
            chosen = self.draft.get("service", chosen)
        choice.set_options(self._service_options(services))
        if chosen in {s["code"] for s in services}:
            choice.value = chosen

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#subject")
    def action_save(self) -> None:
        message = self.query_one(MessageLine)
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            message.say("Indiquez le motif de l'appel.", error=True)
            self.query_one("#reason", Input).focus()
            return
        form: dict[str, Any] = {"reason": reason,
                                "outcome": str(self.query_one("#outcome", Select).value)}
        case = str(self.query_one("#case", Select).value)
        if case == NEW_CASE:
            service = self.query_one("#service", Select).value
            subject = self.query_one("#subject", Input).value.strip()
            if service is Select.BLANK or not subject:
                message.say("Nouvelle demande : choisissez le service et indiquez l'objet.",
                            error=True)
                return
            form["new_case"] = {"service_code": str(service), "subject": subject}
        elif case != NO_CASE:
            form["case_reference"] = case
        self.dismiss(form)

    @on(Input.Submitted, "#reason")
    def _next(self) -> None:
        self.focus_next()
