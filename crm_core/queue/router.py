from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.api.deps import AppSettings, DbSession, InteractionWriter
from crm_core.privacy import service as access_log
from crm_core.privacy.enums import AccessOperation
from crm_core.queue import service
from crm_core.queue.enums import TicketStatus
from crm_core.queue.schemas import CallNext, TicketCreate, TicketOut, TicketServe

router = APIRouter(prefix="/queue", tags=["queue"])


def _log_reads(db_session: Session, actor: Actor, resident_ids: list[uuid.UUID | None],
               timezone: str) -> None:
    """Who came today for which service is the residents' data: traced once a day per
    agent and resident (the counter app polls the list)."""
    zone = ZoneInfo(timezone)
    today = datetime.now(zone).date()
    access_log.record_reads_once_a_day(
        db_session=db_session, actor=actor, operation=AccessOperation.READ_QUEUE,
        resident_ids=resident_ids, since=datetime.combine(today, time.min, zone))


@router.post("/tickets", response_model=TicketOut, status_code=status.HTTP_201_CREATED)
def issue_ticket(
    db_session: DbSession, actor: InteractionWriter, settings: AppSettings, data: TicketCreate
) -> dict[str, Any]:
    """A new ticket at the agent's site: the next number of the day."""
    ticket = service.issue_ticket(
        db_session=db_session, actor=actor, service_code=data.service_code,
        resident_id=data.resident_id, timezone=settings.timezone,
    )
    out = service.ticket_out(ticket)
    return out


@router.get("/tickets", response_model=list[TicketOut])
def list_tickets(
    db_session: DbSession, actor: InteractionWriter, settings: AppSettings,
    status: TicketStatus | None = None,
) -> list[dict[str, Any]]:
    """Today's tickets at the agent's site, by number."""
    tickets = service.list_tickets(
        db_session=db_session, actor=actor, status=status, timezone=settings.timezone)
    out = [service.ticket_out(ticket) for ticket in tickets]
    _log_reads(db_session, actor, [ticket.resident_id for ticket in tickets], settings.timezone)
    return out


@router.post("/call-next", response_model=TicketOut)
def call_next(
    db_session: DbSession, actor: InteractionWriter, settings: AppSettings,
    data: CallNext | None = None,
) -> dict[str, Any]:
    """Call the longest-waiting ticket (404 `queue_empty` when nobody waits)."""
    ticket = service.call_next(
        db_session=db_session, actor=actor, service_code=data.service_code if data else None,
        timezone=settings.timezone,
    )
    out = service.ticket_out(ticket)
    _log_reads(db_session, actor, [ticket.resident_id], settings.timezone)
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
    return out
