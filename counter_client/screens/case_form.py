"""Open a new case: service, kind, subject, description. Goes through the journal."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select

from counter_client.journal import EntryKind
from counter_client.messages import KeepInJournal
from counter_client.screens.modal import FormScreen
from crm_core.client.tui import labels
from crm_core.client.tui.clean_input import CleanInput
from crm_core.client.tui.french import Choice
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.tui.plain import plain
from crm_core.client.types import ResidentSummary, Service


class CaseFormScreen(FormScreen):
    def __init__(self, summary: ResidentSummary, services: list[Service]) -> None:
        super().__init__()
        self.summary = summary
        self.services = services

    def compose(self) -> ComposeResult:
        with Vertical(classes="form") as form:
            form.border_title = "Nouvelle demande"
            yield Label("Service")
            yield Choice([(plain(s["label"]), s["code"]) for s in self.services],
                         prompt="choisir le service", id="service")
            yield Label("Nature")
            yield Choice([(text, code) for code, text in labels.CASE_KINDS.items()],
                         value="request", allow_blank=False, id="kind")
            yield Label("Objet")
            yield CleanInput(id="subject", max_length=200, placeholder="ex. Acte de naissance")
            yield Label("Description (facultative)")
            yield CleanInput(id="description", max_length=5000)
            yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#service", Select).focus()
        # Services added since the app started appear without a restart.
        self.counter.call_server(self.counter.client.services, self._fresh_services,
                                 failed=lambda _: None, group="catalogue", exclusive=True)

    def _fresh_services(self, services: list[Service]) -> None:
        self.counter.services = services
        if not self.is_attached or services == self.services:
            return
        self.services = services
        choice = self.query_one("#service", Select)
        chosen = choice.value
        choice.set_options([(plain(s["label"]), s["code"]) for s in services])
        if any(s["code"] == chosen for s in services):
            choice.value = chosen  # what the agent already chose stays chosen

    @on(Input.Submitted, "#description")
    def _enter(self) -> None:
        self.action_save()

    @on(Input.Submitted, "#subject")
    def _next(self) -> None:
        self.focus_next()

    def action_save(self) -> None:
        service = self.query_one("#service", Select).value
        subject = self.query_one("#subject", Input).value.strip()
        if service is Select.NULL or service is None:
            self.say("Choisissez le service concerné.", error=True)
            return
        if not subject:
            self.say("Indiquez l'objet de la demande.", error=True)
            self.query_one("#subject", Input).focus()
            return
        payload: dict[str, Any] = {
            "resident_id": str(self.summary["resident"]["id"]), "service_code": str(service),
            "kind": str(self.query_one("#kind", Select).value), "subject": subject,
            "channel": "counter",
        }
        description = self.query_one("#description", Input).value.strip()
        if description:
            payload["description"] = description
        self.dismiss(None)
        self.app.post_message(KeepInJournal(
            EntryKind.CASE, payload, sent="Demande enregistrée.",
            kept="Demande gardée sur ce poste : elle sera envoyée dès le retour du réseau.",
            delivered=f"Demande de {labels.full_name(self.summary['resident'])} envoyée."))
