"""What the counter's screens tell their app: typed messages the app handles.

A screen never calls the app's methods; it posts one of these and `CounterApp` decides
(which screen to show, what to print, what to send). Posted to the app directly, so a
form that closes in the same handler is still heard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.message import Message

from counter_client.journal import EntryKind
from crm_core.client.types import Case, IssuedBadge, Resident, ResidentSummary


class Say(Message):
    """Words for the agent, on the screen on top."""

    def __init__(self, text: str, *, error: bool = False) -> None:
        super().__init__()
        self.text = text
        self.error = error


class OpenResident(Message):
    """Fetch a resident's summary, then show it; `case_reference`: the case the agent
    looked the resident up by, highlighted among the open cases."""

    def __init__(self, resident_id: str, case_reference: str | None = None) -> None:
        super().__init__()
        self.resident_id = resident_id
        self.case_reference = case_reference


class ShowResident(Message):
    """A summary already fetched: show it."""

    def __init__(self, summary: ResidentSummary) -> None:
        super().__init__()
        self.summary = summary


class ResidentChanged(Message):
    """Something of the resident on screen changed on the server: reload the file
    (showing `recent_case` first if the change was to a case)."""

    def __init__(self, *, recent_case: Case | None = None) -> None:
        super().__init__()
        self.recent_case = recent_case


class SignedIn(Message):
    def __init__(self, session: dict[str, Any], username: str) -> None:
        super().__init__()
        self.session = session
        self.username = username


class KeepInJournal(Message):
    """A visit or a new request to keep durably, then send (see `JournalSender.write`)."""

    def __init__(self, kind: EntryKind, payload: dict[str, Any], *, sent: str, kept: str,
                 delivered: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.payload = payload
        self.sent = sent
        self.kept = kept
        self.delivered = delivered


class JournalChanged(Message):
    """An entry was sent again or set aside: recount, and send what is pending."""


class PrintReceipt(Message):
    def __init__(self, case: Mapping[str, Any]) -> None:  # a Case, or an OpenCase
        super().__init__()
        self.case = case


class PrintBadge(Message):
    def __init__(self, issued: IssuedBadge, resident: Resident) -> None:
        super().__init__()
        self.issued = issued
        self.resident = resident


class CallNextTicket(Message):
    """Serve the current ticket and call the next one."""


class NewTicket(Message):
    """Open the form that hands a resident a ticket."""


class SessionExpired(Message):
    """The server refused the token (401); `token`: the one refused, when known, so that
    a check made with an earlier session's token ends nothing."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self.token = token


class LoadCatalogue(Message):
    """Fetch what the day needs and is not loaded yet (services, site name)."""
