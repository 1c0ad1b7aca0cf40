"""Plan a call-back: the number, when (today at HH:MM, or a date and time), and why."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Static

from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.clean_input import CleanInput
from crm_core.client.tui.discard import GuardedForm
from crm_core.client.tui.message_line import MessageLine
from phone_desk.drafts import DraftForm, restore_fields

_TIME = re.compile(r"^(\d{1,2})[h:](\d{2})?$")
_DATE_TIME = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\s+(\d{1,2})[h:](\d{2})?$")
_IN = re.compile(r"^\+\s*(\d{1,3})\s*(min|h)?$")


def parse_due(text: str, *, now: datetime) -> datetime:
    """'14:30' / '14h' (today), '+30' / '+2h' (from now), '12/03 9h30' or '12/03/2027 9:30';
    `now` is in the city's zone (`CityTime.now()`), which "today" and the hours are in."""
    text = text.strip().lower()
    if match := _IN.match(text):
        amount = int(match.group(1))
        return now + (timedelta(hours=amount) if match.group(2) == "h"
                      else timedelta(minutes=amount))
    try:
        if match := _TIME.match(text):
            due = now.replace(hour=int(match.group(1)), minute=int(match.group(2) or 0),
                              second=0, microsecond=0)
        elif match := _DATE_TIME.match(text):
            day, month, year, hour, minute = match.groups()
            def on(in_year: int) -> datetime:  # all at once: 29/02 only exists some years
                return now.replace(year=in_year, month=int(month), day=int(day),
                                   hour=int(hour), minute=int(minute or 0), second=0,
                                   microsecond=0)

            due = on(int(year or now.year))
            if not year and due < now:  # "01/01 8h" typed in December: next January
                due = on(now.year + 1)
        else:
            raise ValueError(text)
    except ValueError as exc:
        raise ValueError("Heure attendue : 14:30, +30 (minutes), +2h ou 12/03 9h30") from exc
    if due < now:
        raise ValueError("Ce moment est déjà passé : indiquez une heure à venir"
                         " (14:30, +30, +2h ou 12/03 9h30).")
    return due


class CallbackScreen(DraftForm, GuardedForm[dict[str, Any]]):
    """One field a line, so that the whole form, its warning and its message fit 80×24."""

    DRAFT_NAME = "Votre rappel"

    def __init__(self, phone: str, *, city: CityTime, calls_refused: bool = False,
                 typed: dict[str, Any] | None = None, refusal: str = "",
                 draft: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.city = city
        # Being typed when the session ended elsewhere: the fields as they were.
        self.draft = draft or {}
        self.phone = phone
        # Opened again after the server refused it: what was typed, and why it was refused.
        self.typed = typed or {}
        self.refusal = refusal
        # The resident said no to calls ("Mes choix"): a call-back only if they ask for
        # this one now, on the line; the agent says so, else nothing is planned.
        self.calls_refused = calls_refused

    def compose(self) -> ComposeResult:
        with Vertical(classes="form") as form:
            form.border_title = "Prévoir un rappel"
            with Horizontal(classes="field"):
                yield Label("Numéro")
                yield CleanInput(self.phone, id="phone")
            with Horizontal(classes="field"):
                yield Label("Quand")
                yield CleanInput(id="due", placeholder="+30")
            yield Static("14:30, +30 (minutes), +2h ou 12/03 9h30 ; vide : dans 30 minutes",
                         classes="hint")
            with Horizontal(classes="field"):
                yield Label("Motif")
                yield CleanInput(id="reason")
            if self.calls_refused:
                yield Static("⚠ Cet usager a refusé les appels de la mairie (ses choix de"
                             " contact) : ne le rappelez que s'il le demande maintenant.",
                             id="refused", classes="warning")
                yield Checkbox("L'usager demande lui-même ce rappel", id="asked")
            yield MessageLine(id="form-message")
            with Horizontal(classes="buttons"):
                yield Button("Prévoir le rappel", id="save", variant="primary")
                yield Button("Annuler (Échap)", id="cancel")

    def on_mount(self) -> None:
        if due := self.typed.get("due_at"):
            self.query_one("#due", Input).value = f"{due.astimezone(self.city.zone):%d/%m/%Y %H:%M}"
        self.query_one("#reason", Input).value = str(self.typed.get("reason") or "")
        if self.calls_refused and self.typed.get("requested_by_resident"):
            self.query_one("#asked", Checkbox).value = True
        if self.refusal:
            self.query_one(MessageLine).say(self.refusal, error=True)
        restore_fields(self, self.draft)
        # An unreadable or withheld caller leaves « Numéro » empty: it is asked first.
        phone = self.query_one("#phone", Input)
        (self.query_one("#due", Input) if phone.value.strip() else phone).focus()

    def typed_something(self) -> bool:
        # Text given back after a refusal was typed by the agent: Escape asks too.
        return bool(self.typed or self.draft) or super().typed_something()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#phone, #due")
    def _next(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#reason")
    def _save(self) -> None:
        message = self.query_one(MessageLine)
        phone = self.query_one("#phone", Input).value.strip()
        reason = self.query_one("#reason", Input).value.strip()
        try:
            due = parse_due(self.query_one("#due", Input).value or "+30", now=self.city.now())
        except ValueError as exc:
            message.say(str(exc), error=True)
            self.query_one("#due", Input).focus()
            return
        if not phone or not reason:
            message.say("Indiquez le numéro et le motif du rappel.", error=True)
            self.query_one("#phone" if not phone else "#reason", Input).focus()
            return
        if self.calls_refused and not self.query_one("#asked", Checkbox).value:
            message.say("Rappel non prévu : l'usager a refusé les appels. Cochez la case"
                        " (Espace) seulement s'il demande ce rappel.", error=True)
            self.query_one("#asked", Checkbox).focus()
            return
        # The server checks the resident's choices too: it is told that they asked.
        self.dismiss({"phone": phone, "due_at": due, "reason": reason,
                      "requested_by_resident": self.calls_refused})
