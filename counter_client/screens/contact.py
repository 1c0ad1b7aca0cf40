"""Add a contact point, or correct what the resident says about a known one."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from counter_client.messages import ResidentChanged
from counter_client.screens.modal import FormScreen
from crm_core.client.errors import ClientError
from crm_core.client.tui import labels
from crm_core.client.tui.clean_input import CleanInput
from crm_core.client.tui.french import Choice
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.types import ContactPoint, ResidentSummary

KINDS = [("Téléphone", "phone"), ("E-mail", "email"), ("Adresse postale", "address")]


class ContactScreen(FormScreen):
    def __init__(self, summary: ResidentSummary) -> None:
        super().__init__()
        self.summary = summary
        self.points = list(summary.get("contact_points", []))

    def compose(self) -> ComposeResult:
        with Vertical(classes="form") as form:
            form.border_title = "Coordonnées"
            if self.points:
                yield Label("Corriger une coordonnée connue (Entrée) ou en saisir une :")
                yield OptionList(*[
                    Option(Text(f"{labels.label(labels.CONTACT_KINDS, p['kind'])} {p['display']}"),
                           id=str(p["id"]))
                    for p in self.points
                ], id="known")
            yield Choice(KINDS, value="phone", allow_blank=False, id="kind")
            yield CleanInput(id="value", max_length=320,
                             placeholder="06 12 34 56 78, nom@exemple.fr")
            yield Checkbox("Coordonnée à utiliser pour le joindre (selon ses choix de contact)",
                           id="allowed")
            yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    @on(OptionList.OptionSelected, "#known")
    def _known(self, event: OptionList.OptionSelected) -> None:
        point = next(p for p in self.points if str(p["id"]) == event.option.id)
        self.query_one("#kind", Select).value = point["kind"]
        self.query_one("#value", Input).value = str(point["value"])
        self.query_one("#allowed", Checkbox).value = bool(point.get("contact_allowed"))
        self.query_one("#value", Input).focus()

    @on(Input.Submitted, "#value")
    def _enter(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        value = self.query_one("#value", Input).value.strip()
        if not value:
            self.say("Saisissez le numéro, l'adresse e-mail ou l'adresse postale.", error=True)
            return
        kind = str(self.query_one("#kind", Select).value)
        allowed = self.query_one("#allowed", Checkbox).value
        client = self.counter.client
        resident_id = str(self.summary["resident"]["id"])

        def done(point: ContactPoint) -> None:
            self.finish(f"Coordonnée enregistrée : {point['display']}.")
            self.app.post_message(ResidentChanged())

        def failed(exc: ClientError) -> None:
            self.say(exc.message, error=True)

        self.counter.call_server(
            lambda: client.add_contact_point(
                resident_id, kind=kind, value=value, contact_allowed=allowed, channel="counter"
            ),
            done, failed=failed,
        )
