"""Queue tickets: issue (number of the day, per site), call the next, mark served."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.cases import service as cases
from crm_core.database.base import utcnow
from crm_core.exceptions import Conflict, InvalidInput, NotFound
from crm_core.queue.enums import TicketStatus
from crm_core.queue.models import QueueTicket
from crm_core.residents import service as residents

_NUMBER_ATTEMPTS = 5


class QueueEmpty(NotFound):
    code = "queue_empty"
    title = "Personne n'attend"


class TicketNotFound(NotFound):
    code = "ticket_not_found"
    title = "Ticket introuvable"


class TicketStateConflict(Conflict):
    code = "ticket_state"
    title = "Ticket dans un autre état"


def _local_day(at: datetime, timezone: str) -> date:
    """The city's day at `at` (`timezone`: `RELAIS_TIMEZONE`), which numbers the tickets."""
    return at.astimezone(ZoneInfo(timezone)).date()


def _site_of(actor: Actor) -> uuid.UUID:
    if actor.site_id is None:
        raise InvalidInput("Connectez-vous sur un site d'accueil pour gérer la file", field="site")
    return actor.site_id


def issue_ticket(
    *, db_session: Session, actor: Actor, service_code: str,
    resident_id: uuid.UUID | None = None, at: datetime | None = None, timezone: str,
) -> QueueTicket:
    site_id = _site_of(actor)
    service = cases.get_service(db_session=db_session, code=service_code)
    if resident_id is not None:
        resident_id = residents.get(db_session=db_session, resident_id=resident_id).id
    at = at or utcnow()
    day = _local_day(at, timezone)
    if resident_id is not None and (waiting := _waiting_ticket(db_session, site_id, day,
                                                               resident_id)):
        return waiting  # already checked in
    for _ in range(_NUMBER_ATTEMPTS):
        last = db_session.scalar(
            select(func.max(QueueTicket.number)).where(
                QueueTicket.site_id == site_id, QueueTicket.local_day == day
            )
        )
        ticket = QueueTicket(
            site_id=site_id, local_day=day, number=(last or 0) + 1, service_id=service.id,
            resident_id=resident_id, status=TicketStatus.WAITING, issued_at=at,
        )
        ticket.service = service
        try:
            with db_session.begin_nested():  # another counter took this number: next one
                db_session.add(ticket)
            return ticket
        except IntegrityError:
            # ... or checked this resident in at the same instant: theirs is the ticket.
            if resident_id is not None and (waiting := _waiting_ticket(
                    db_session, site_id, day, resident_id)):
                return waiting
            continue
    raise Conflict("Impossible d'attribuer un numéro de ticket, réessayez")


def _waiting_ticket(db_session: Session, site_id: uuid.UUID, day: date,
                    resident_id: uuid.UUID) -> QueueTicket | None:
    return db_session.scalar(select(QueueTicket).where(
        QueueTicket.site_id == site_id, QueueTicket.local_day == day,
        QueueTicket.resident_id == resident_id, QueueTicket.status == TicketStatus.WAITING))


def list_tickets(
    *, db_session: Session, actor: Actor, status: TicketStatus | None = None, timezone: str,
) -> list[QueueTicket]:
    query = select(QueueTicket).where(
        QueueTicket.site_id == _site_of(actor),
        QueueTicket.local_day == _local_day(utcnow(), timezone),
    )
    if status is not None:
        query = query.where(QueueTicket.status == status)
    return list(db_session.scalars(query.order_by(QueueTicket.number)))


def call_next(
    *, db_session: Session, actor: Actor, service_code: str | None = None,
    at: datetime | None = None, timezone: str,
) -> QueueTicket:
    """The longest-waiting ticket of the agent's site (of one service if given) is called."""
    at = at or utcnow()
    query = select(QueueTicket).where(
        QueueTicket.site_id == _site_of(actor), QueueTicket.local_day == _local_day(at, timezone),
        QueueTicket.status == TicketStatus.WAITING,
    )
    if service_code:
        service = cases.get_service(db_session=db_session, code=service_code)
        query = query.where(QueueTicket.service_id == service.id)
    # Two counters calling at once never get the same ticket (PostgreSQL row locks;
    # SQLite transactions are serialised by BEGIN IMMEDIATE).
    ticket = db_session.scalar(
        query.order_by(QueueTicket.issued_at, QueueTicket.number)
        .limit(1).with_for_update(skip_locked=True, of=QueueTicket)
    )
    if ticket is None:
        raise QueueEmpty("Personne n'attend dans la file")
    ticket.status = TicketStatus.CALLED
    ticket.called_at = at
    ticket.called_by_agent_id = actor.agent_id
    ticket.wait_seconds = max(0, int((at - ticket.issued_at).total_seconds()))
    db_session.flush()
    return ticket


def serve(
    *, db_session: Session, actor: Actor, ticket_id: uuid.UUID,
    resident_id: uuid.UUID | None = None, at: datetime | None = None,
) -> QueueTicket:
    ticket = db_session.get(QueueTicket, ticket_id)
    if ticket is None or ticket.site_id != _site_of(actor):
        raise TicketNotFound("Ce ticket n'existe pas sur votre site")
    if ticket.status is not TicketStatus.CALLED or ticket.called_at is None:
        raise TicketStateConflict(
            f"Le ticket {display_number(ticket.number)} n'est pas appelé : il ne peut pas"
            " être marqué servi", ticket_status=ticket.status.value,
        )
    if resident_id is not None:
        ticket.resident_id = residents.get(db_session=db_session, resident_id=resident_id).id
    at = at or utcnow()
    ticket.status = TicketStatus.SERVED
    ticket.served_at = at
    ticket.service_seconds = max(0, int((at - ticket.called_at).total_seconds()))
    db_session.flush()
    return ticket


def display_number(number: int) -> str:
    return f"{number:03d}"


def ticket_out(ticket: QueueTicket) -> dict[str, Any]:
    return {
        "id": ticket.id, "number": ticket.number,
        "display_number": display_number(ticket.number), "local_day": ticket.local_day,
        "service_code": ticket.service.code, "service_label": ticket.service.label,
        "resident_id": ticket.resident_id, "status": ticket.status,
        "issued_at": ticket.issued_at, "called_at": ticket.called_at,
        "served_at": ticket.served_at, "wait_seconds": ticket.wait_seconds,
        "service_seconds": ticket.service_seconds,
    }
