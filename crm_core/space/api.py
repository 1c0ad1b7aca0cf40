"""`/api/v1/privacy-requests`: supervisors see and handle the rights requests residents
filed from their space."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, StringConstraints

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Permission
from crm_core.api.deps import DbSession, ResidentEraser, require
from crm_core.space import rights
from crm_core.space.enums import PrivacyRequestKind, PrivacyRequestStatus
from crm_core.space.models import PrivacyRequest

router = APIRouter(prefix="/privacy-requests", tags=["privacy"])

# Who may erase a file reads the requests that lead to it; a refusal says what was asked.
RequestsReader = Annotated[Actor, Depends(require(
    Permission.RESIDENT_ERASE, doing="consulter les demandes d'exercice des droits"))]


class PrivacyRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    resident_id: uuid.UUID
    kind: PrivacyRequestKind
    message: str | None
    status: PrivacyRequestStatus
    filed_at: datetime
    handled_at: datetime | None
    answer: str | None


class PrivacyRequestClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["done", "refused"]
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3,
                                             max_length=500)]


@router.get("", response_model=list[PrivacyRequestOut])
def list_requests(
    db_session: DbSession, actor: RequestsReader,
    status: PrivacyRequestStatus | None = PrivacyRequestStatus.OPEN,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[PrivacyRequest]:
    """Rights requests, oldest first (the open ones by default). An erasure request is
    finished by `POST /residents/{resident_id}/erasure`."""
    return rights.list_requests(db_session=db_session, status=status, limit=limit)


@router.post("/{request_id}/close", response_model=PrivacyRequestOut)
def close_request(db_session: DbSession, actor: ResidentEraser, request_id: uuid.UUID,
                  data: PrivacyRequestClose) -> Any:
    """A rectification made (done), or a request refused with its reason in plain French."""
    request = rights.close_request(
        db_session=db_session, actor=actor, request_id=request_id,
        status=PrivacyRequestStatus(data.status), answer=data.answer)
    return request
