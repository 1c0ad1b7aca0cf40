"""Change a case's status: only the moves the workflow allows are offered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from counter_client.messages import ResidentChanged
from counter_client.screens.modal import FormScreen
from crm_core.client.errors import ClientError
from crm_core.client.tui import labels
from crm_core.client.tui.clean_input import CleanInput
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.tui.plain import plain
from crm_core.client.types import Case


class StatusScreen(FormScreen):
    def __init__(self, case: Mapping[str, Any]) -> None:
        super().__init__()
        self.case = case

    def compose(self) -> ComposeResult:
        with Vertical(classes="form") as form:
            form.border_title = plain(
                f"Demande {self.case['display_reference']} : "
                f"{labels.case_status(self.case['status'])}")
            yield Label("Nouveau statut (Entrée pour valider)")
            yield OptionList(id="targets")
            yield Label("Note (facultative)")
            yield CleanInput(id="note", max_length=5000)
            yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        self.say("Statuts possibles…")
        client = self.counter.client
        reference = str(self.case["reference"])
        self.counter.call_server(lambda: client.case(reference), self._loaded,
                                 failed=self._failed)

    def _loaded(self, case: Case) -> None:
        targets = self.query_one("#targets", OptionList)
        targets.add_options([
            Option(labels.case_status(status), id=str(status))
            for status in case["allowed_transitions"]
        ])
        targets.highlighted = 0
        targets.focus()
        self.say("")

    def _failed(self, exc: ClientError) -> None:
        self.say(exc.message, error=True)

    @on(Input.Submitted, "#note")
    def _enter(self) -> None:
        self.action_save()  # as the help says: Enter saves, from the note too

    @on(OptionList.OptionSelected, "#targets")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self._change(str(event.option.id))

    def action_save(self) -> None:
        targets = self.query_one("#targets", OptionList)
        if targets.highlighted is not None and targets.option_count:
            option = targets.get_option_at_index(targets.highlighted)
            self._change(str(option.id))

    def _change(self, status: str) -> None:
        note = self.query_one("#note", Input).value.strip() or None
        client = self.counter.client
        reference = str(self.case["reference"])

        def done(case: Case) -> None:
            self.finish(f"Demande {case['display_reference']} :"
                        f" {labels.case_status(case['status'])}.")
            self.app.post_message(ResidentChanged(recent_case=case))

        self.counter.call_server(
            lambda: client.update_case(reference, status=status, note=note, channel="counter"),
            done, failed=self._failed,
        )
