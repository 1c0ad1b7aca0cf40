from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from fastapi import APIRouter, Response, status

from crm_core.api.deps import (
    AppSettings,
    DbSession,
    InteractionWriter,
    admit_find,
    misses_counted,
)
from crm_core.interactions import service
from crm_core.interactions.schemas import InteractionCreate, InteractionOut

router = APIRouter(tags=["interactions"])


@router.post(
    "/interactions", response_model=InteractionOut, status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Already recorded under this idempotency key"}},
)
def record_interaction(
    db_session: DbSession, actor: InteractionWriter, settings: AppSettings,
    data: InteractionCreate, response: Response,
) -> dict[str, Any]:
    """An exchange naming a case by its reference finds that case as a lookup would:
    locked and counted alike, and a reference of someone else's case answers as one that
    names nothing."""
    finding: AbstractContextManager[None] = nullcontext()
    if data.case_reference:
        admit_find(db_session, actor, settings.security)
        finding = misses_counted(db_session, actor, "reference", settings.security)
    with finding:
        interaction, created = service.record(db_session=db_session, actor=actor, data=data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return service.interaction_out(db_session, interaction)
