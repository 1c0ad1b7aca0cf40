"""Issue a queue ticket: pick the service."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from counter_client.screens.modal import FormScreen
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.tui.plain import plain
from crm_core.client.types import Service, Ticket


class TicketScreen(FormScreen):
    def __init__(self, services: list[Service]) -> None:
        super().__init__()
        self.services = services

    def compose(self) -> ComposeResult:
        with Vertical(classes="form") as form:
            form.border_title = "Nouveau ticket d'attente"
            yield Label("Pour quel service ?")
            yield OptionList(*[Option(plain(s["label"]), id=s["code"]) for s in self.services],
                             id="services")
            yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        services = self.query_one("#services", OptionList)
        services.highlighted = 0
        services.focus()

    @on(OptionList.OptionSelected, "#services")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        code = str(event.option.id)
        client = self.counter.client

        def done(ticket: Ticket) -> None:
            self.finish(f"Ticket {ticket['display_number']} ({ticket['service_label']}) émis.")

        self.counter.call_server(lambda: client.issue_ticket(code), done,
                                 failed=lambda exc: self.say(exc.message, error=True))
