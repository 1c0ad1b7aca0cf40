"""`/residents/{id}/summary` and `/residents/{id}/interactions`: the 360 view and the
timeline, read across the domains (cases, badges, exchanges, consents)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from crm_core.api.deps import AppSettings, DbSession, ResidentReader
from crm_core.api.responses import FastJSONResponse
from crm_core.bounds import Instant
from crm_core.config import city_today
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.residents import service
from crm_core.residents.schemas import ResidentSummary, TimelineEntryOut
from crm_core.summary.service import read_summary, recent_interactions

router = APIRouter(prefix="/residents", tags=["residents"])


@router.get(
    "/{resident_id}/summary", response_class=FastJSONResponse,
    responses={200: {"model": ResidentSummary}},
)
def summary(
    db_session: DbSession, actor: ResidentReader, settings: AppSettings, resident_id: uuid.UUID
) -> Any:
    """The 360 view. Returned pre-encoded with orjson: this is the hottest read."""
    content = read_summary(db_session=db_session, actor=actor, resident_id=resident_id,
                           today=city_today(settings.timezone))
    return FastJSONResponse(content)


@router.get("/{resident_id}/interactions", response_model=list[TimelineEntryOut])
def timeline(
    db_session: DbSession, actor: ResidentReader, resident_id: uuid.UUID,
    before: Instant | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    surviving_id, _ = service.resolve_id(db_session=db_session, resident_id=resident_id)
    entries = recent_interactions(
        db_session=db_session, resident_id=surviving_id, limit=limit, before=before
    )
    record_access(
        db_session=db_session, actor=actor, resident_id=surviving_id,
        operation=AccessOperation.READ_SUMMARY, reason="timeline",
    )
    return entries
