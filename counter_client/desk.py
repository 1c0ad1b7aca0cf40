"""Counter actions that involve the queue or the printer, and the app's handlers of the
screens' messages asking for them; the print queue itself is driven by
`counter_client.printer`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from badge.printing import PrintedBadge, Receipt, render_badge, render_receipt
from counter_client.host import CounterHost
from counter_client.messages import (
    CallNextTicket,
    NewTicket,
    OpenResident,
    PrintBadge,
    PrintReceipt,
)
from crm_core.client.tui import labels
from crm_core.client.types import Case, IssuedBadge, Resident, Ticket

if TYPE_CHECKING:
    from counter_client.printer import CounterPrinter

NEXT_STEPS = {
    "new": "Votre demande est enregistrée. Le service vous répondra avant le {due}.",
    "in_progress": "Votre demande est en cours de traitement (réponse prévue le {due}).",
    "waiting_resident": "Nous attendons de votre part les pièces ou la réponse demandées.",
    "resolved": "Votre demande est résolue. Elle sera clôturée prochainement.",
    "closed": "Votre demande est clôturée. Merci de votre visite.",
}
RECEIPT_STATUS = {
    "new": "Demande enregistrée", "in_progress": "Demande en cours",
    "waiting_resident": "En attente de votre part", "resolved": "Demande résolue",
    "closed": "Demande clôturée",
}


def print_receipt(app: CounterHost, printer: CounterPrinter, case: Mapping[str, Any], *,
                  name_on_screen: Callable[[str], str]) -> None:
    """Fetch the case's current status, then print the receipt (queued if the printer fails)."""
    reference = str(case["reference"])

    def done(fresh: Case) -> None:
        status = str(fresh["status"])
        receipt = Receipt(
            site_name=app.site_name or "Accueil de la mairie",
            printed_at=datetime.now(UTC),
            agent_name=app.session.display_name if app.session else "l'accueil",
            case_reference=str(fresh["display_reference"]),
            service_label=str(fresh.get("service_label") or ""),
            case_subject=str(fresh.get("subject") or ""),
            case_status=RECEIPT_STATUS.get(status, labels.label(labels.CASE_STATUSES, status)),
            next_steps=NEXT_STEPS.get(status, "").format(due=labels.day(fresh.get("due_date"))),
            follow_url=app.settings.follow_url or None,
        )
        resident_id = str(fresh["resident_id"])
        name = name_on_screen(resident_id)
        label = f"reçu {receipt.case_reference}" + (f" de {name}" if name else "")
        printer.submit(render_receipt(receipt), label=label, resident_id=resident_id)

    app.call_server(lambda: app.client.case(reference), done)


def print_badge(printer: CounterPrinter, issued: IssuedBadge, resident: Resident, *,
                site_name: str) -> None:
    token = issued["token"]
    if not token:
        return
    badge = PrintedBadge(
        token=token, issuer_name=site_name or "Relais",
        expires_at=labels.parse_datetime(issued["expires_at"]) or datetime.now(UTC),
        first_name=str(resident.get("given_name") or "") or None,
    )
    printer.submit(render_badge(badge), label="badge QR",
                       resident_id=str(resident["id"]))


def call_next_ticket(app: CounterHost, *, resident_id: str | None) -> None:
    """Mark the current ticket served (with the resident on screen), call the next one,
    and open the resident's file when the ticket is known to belong to someone."""
    current = app.current_ticket
    client = app.client

    def work() -> Ticket:
        if current is not None:
            client.serve_ticket(current["id"], resident_id=resident_id)
        return client.call_next_ticket()

    def done(ticket: Ticket) -> None:
        app.current_ticket = ticket
        app.ticket = f"{ticket['display_number']} · {ticket['service_label']}"
        app.say_later(f"Appel du ticket {ticket['display_number']}"
                       f" ({ticket['service_label']}).")
        if ticket.get("resident_id"):
            app.post_message(OpenResident(str(ticket["resident_id"])))

    def failed(exc: Any) -> None:
        if getattr(exc, "code", "") == "queue_empty":
            app.current_ticket = None
            app.ticket = ""
        app.say_later(exc.message, error=True)

    app.call_server(work, done, failed=failed, group="queue", exclusive=True)


class QueueAndPrinting(CounterHost):
    """The app's handlers of the screens' queue and printing messages."""

    printer: CounterPrinter

    def on_print_receipt(self, message: PrintReceipt) -> None:
        print_receipt(self, self.printer, message.case, name_on_screen=self._name_on_screen)

    def _name_on_screen(self, resident_id: str) -> str:
        """The resident's name as the counter screen shows it, for the print job's label."""
        from counter_client.screens.resident import ResidentScreen

        for screen in self.screen_stack:
            if isinstance(screen, ResidentScreen) and screen.resident_id == resident_id:
                return labels.full_name(screen.summary["resident"])
        return ""

    def on_print_badge(self, message: PrintBadge) -> None:
        print_badge(self.printer, message.issued, message.resident, site_name=self.site_name)

    def on_call_next_ticket(self, _: CallNextTicket) -> None:
        from counter_client.screens.resident import ResidentScreen

        resident_id = None
        for screen in self.screen_stack:
            if isinstance(screen, ResidentScreen):
                resident_id = screen.resident_id
        call_next_ticket(self, resident_id=resident_id)

    def on_new_ticket(self, _: NewTicket) -> None:
        from counter_client.screens.ticket import TicketScreen

        if not self.services:
            self.say_later(self.services_missing(), error=True)
            return
        self.push_screen(TicketScreen(self.services))
