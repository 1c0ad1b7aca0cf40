"""Badges of the resident: issue and print a QR badge, enrol a card, revoke."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from counter_client.messages import PrintBadge, ResidentChanged
from counter_client.screens.modal import FormScreen
from crm_core.client.errors import ClientError
from crm_core.client.tui import labels
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.message_line import MessageLine
from crm_core.client.tui.resident_card import badge_line
from crm_core.client.types import IssuedBadge, ResidentSummary


class BadgeScreen(FormScreen):
    def __init__(self, summary: ResidentSummary) -> None:
        super().__init__()
        self.summary = summary
        self.enrolling = False

    @property
    def resident_id(self) -> str:
        return str(self.summary["resident"]["id"])

    def compose(self) -> ComposeResult:
        badges = self.summary.get("badges", [])
        options = [
            Option("Émettre un badge QR et l'imprimer", id="issue"),
            Option("Enrôler une carte sans contact (la poser ensuite sur le lecteur)",
                   id="enrol"),
        ]
        options += [
            Option(f"Révoquer le badge {labels.label(labels.BADGE_KINDS, b['kind'])} du"
                   f" {labels.day(b['expires_at'])} (perdu, volé…)", id=f"revoke:{b['id']}")
            for b in badges if b["status"] == "active"
        ]
        with Vertical(classes="form") as form:
            form.border_title = "Badge serviciel"
            yield Label(badge_line(badges))
            yield OptionList(*options, id="actions")
            yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#actions", OptionList).focus()

    def _failed(self, exc: ClientError) -> None:
        self.enrolling = False
        self.say(exc.message, error=True)

    @on(OptionList.OptionSelected, "#actions")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        action = str(event.option.id)
        client = self.counter.client
        if action == "issue":
            self.counter.call_server(lambda: client.issue_badge(self.resident_id),
                                     self._issued, failed=self._failed)
        elif action == "enrol":
            if self.counter.card_reader is None:
                self.say("Aucun lecteur de cartes n'est configuré sur ce poste.", error=True)
                return
            self.enrolling = True
            self.say("Posez la carte sur le lecteur…")
        elif action.startswith("revoke:"):
            badge_id = action.removeprefix("revoke:")
            self.counter.call_server(
                lambda: client.revoke_badge(badge_id, reason="révoqué au guichet"),
                lambda _: self._done("Badge révoqué : il est refusé dès maintenant."),
                failed=self._failed,
            )

    def _issued(self, issued: IssuedBadge) -> None:
        self.app.post_message(PrintBadge(issued, self.summary["resident"]))
        self._done("Badge QR émis.")

    def card_read(self, uid_hex: str) -> None:
        self.enrolling = False
        client = self.counter.client
        self.counter.call_server(
            lambda: client.issue_badge(self.resident_id, card_uid=uid_hex),
            lambda _: self._done("Carte enrôlée : elle ouvrira ce dossier."),
            failed=self._failed,
        )

    def _done(self, message: str) -> None:
        self.finish(message)
        self.app.post_message(ResidentChanged())
