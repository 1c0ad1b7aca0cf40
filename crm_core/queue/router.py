from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from crm_core.api.deps import DbSession, InteractionWriter
from crm_core.queue import service
from crm_core.queue.enums import TicketStatus
from crm_core.queue.schemas import CallNext, TicketCreate, TicketOut, TicketServe

router = APIRouter(prefix="/queue", tags=["queue"])


@router.post("/tickets", response_model=TicketOut, status_code=status.HTTP_201_CREATED)
def issue_ticket(
    db_session: DbSession, actor: InteractionWriter, data: TicketCreate
) -> dict[str, Any]:
    """A new ticket at the agent's site: the next number of the day."""
    ticket = service.issue_ticket(
        db_session=db_session, actor=actor, service_code=data.service_code,
        resident_id=data.resident_id,
    )
    out = service.ticket_out(ticket)
    db_session.commit()
    return out


@router.get("/tickets", response_model=list[TicketOut])
def list_tickets(
    db_session: DbSession, actor: InteractionWriter, status: TicketStatus | None = None
) -> list[dict[str, Any]]:
    """Today's tickets at the agent's site, by number."""
    tickets = service.list_tickets(db_session=db_session, actor=actor, status=status)
    return [service.ticket_out(ticket) for ticket in tickets]


@router.post("/call-next", response_model=TicketOut)
def call_next(
    db_session: DbSession, actor: InteractionWriter, data: CallNext | None = None
) -> dict[str, Any]:
    """Call the longest-waiting ticket (404 `queue_empty` when nobody waits)."""
    ticket = service.call_next(
        db_session=db_session, actor=actor, service_code=data.service_code if data else None
    )
    out = service.ticket_out(ticket)
    db_session.commit()
    return out


@router.post("/tickets/{ticket_id}/serve", response_model=TicketOut)
def serve_ticket(
    db_session: DbSession, actor: InteractionWriter, ticket_id: uuid.UUID,
    data: TicketServe | None = None,
) -> dict[str, Any]:
    ticket = service.serve(
        db_session=db_session, actor=actor, ticket_id=ticket_id,
        resident_id=data.resident_id if data else None,
    )
    out = service.ticket_out(ticket)
    db_session.commit()
    return out
