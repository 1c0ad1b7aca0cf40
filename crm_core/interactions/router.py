from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from crm_core.api.deps import DbSession, InteractionWriter
from crm_core.interactions import service
from crm_core.interactions.schemas import InteractionCreate, InteractionOut

router = APIRouter(tags=["interactions"])


@router.post(
    "/interactions", response_model=InteractionOut, status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Already recorded under this idempotency key"}},
)
def record_interaction(
    db_session: DbSession, actor: InteractionWriter, data: InteractionCreate, response: Response
) -> dict[str, Any]:
    interaction, created = service.record(db_session=db_session, actor=actor, data=data)
    db_session.commit()
    if not created:
        response.status_code = status.HTTP_200_OK
    return service.interaction_out(db_session, interaction)
