"""Counter actions that involve the queue or the printer, and the app's handlers of the
screens' messages asking for them; the print queue itself is driven by
`counter_client.printer`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from badge.printing import PrintedBadge, Receipt, render_badge, render_receipt
from counter_client.host import CounterHost
from counter_client.messages import (
    CallNextTicket,
    NewTicket,
    OpenResident,
    PrintBadge,
    PrintReceipt,
)
from crm_core.client import RelaisClient
from crm_core.client.errors import ClientError
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


def build_receipt(case: Case, *, site_name: str, agent_name: str, follow_url: str,
                  printed_at: datetime) -> Receipt:
    """The receipt of `case` as the server has it now."""
    status = str(case["status"])
    return Receipt(
        site_name=site_name or "Accueil de la mairie",
        printed_at=printed_at,
        agent_name=agent_name or "l'accueil",
        case_reference=str(case["display_reference"]),
        service_label=str(case.get("service_label") or ""),
        case_subject=str(case.get("subject") or ""),
        case_status=RECEIPT_STATUS.get(status, labels.label(labels.CASE_STATUSES, status)),
        next_steps=NEXT_STEPS.get(status, "").format(due=labels.day(case.get("due_date"))),
        follow_url=follow_url or None,
    )


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


def serve_and_call_next(client: RelaisClient, current: Ticket | None, *,
                        resident_id: str | None) -> Ticket:
    """Mark the current ticket served (with the resident on screen), call the next one.
    Runs in a worker."""
    if current is not None:
        client.serve_ticket(current["id"], resident_id=resident_id)
    return client.call_next_ticket()


class QueueAndPrinting(CounterHost):
    """The app's handlers of the screens' queue and printing messages."""

    printer: CounterPrinter

    def on_print_receipt(self, message: PrintReceipt) -> None:
        """Fetch the case's current status, then print the receipt (queued if the printer
        fails)."""
        reference = str(message.case["reference"])
        client = self.client

        def done(fresh: Case) -> None:
            receipt = build_receipt(
                fresh, site_name=self.site_name, follow_url=self.settings.follow_url,
                agent_name=self.session.display_name if self.session else "",
                printed_at=datetime.now(UTC))
            resident_id = str(fresh["resident_id"])
            name = self._name_on_screen(resident_id)
            label = f"reçu {receipt.case_reference}" + (f" de {name}" if name else "")
            self.printer.submit(render_receipt(receipt), label=label, resident_id=resident_id)

        self.call_server(lambda: client.case(reference), done)

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
        client, current = self.client, self.current_ticket
        self.call_server(
            lambda: serve_and_call_next(client, current, resident_id=resident_id),
            self._ticket_called, failed=self._no_ticket_called, group="queue", exclusive=True)

    def _ticket_called(self, ticket: Ticket) -> None:
        """The ticket called: on the top line, said, and its resident's file opened when
        the ticket is known to belong to someone."""
        self.current_ticket = ticket
        self.ticket = f"{ticket['display_number']} · {ticket['service_label']}"
        self.say_later(f"Appel du ticket {ticket['display_number']}"
                       f" ({ticket['service_label']}).")
        if ticket.get("resident_id"):
            self.post_message(OpenResident(str(ticket["resident_id"])))

    def _no_ticket_called(self, exc: ClientError) -> None:
        if getattr(exc, "code", "") == "queue_empty":
            self.current_ticket = None
            self.ticket = ""
        self.say_later(exc.message, error=True)

    def on_new_ticket(self, _: NewTicket) -> None:
        from counter_client.screens.ticket import TicketScreen

        if not self.services:
            self.say_later(self.services_missing(), error=True)
            return
        self.push_screen(TicketScreen(self.services))
