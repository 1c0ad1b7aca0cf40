from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from crm_core.api.deps import (
    AppSettings,
    CaseFinder,
    CaseWriter,
    CatalogAdmin,
    CurrentActor,
    DbSession,
    ResidentFinder,
    misses_counted,
)
from crm_core.cases import service
from crm_core.cases.models import Service
from crm_core.cases.schemas import CaseCreate, CaseOut, CaseUpdate, ServiceCreate, ServiceOut

router = APIRouter(tags=["cases"])


@router.get("/services", response_model=list[ServiceOut])
def list_services(db_session: DbSession, actor: CurrentActor) -> list[Service]:
    return service.list_services(db_session=db_session)


@router.post("/services", response_model=ServiceOut, status_code=status.HTTP_201_CREATED)
def create_service(db_session: DbSession, actor: CatalogAdmin, data: ServiceCreate) -> Service:
    created = service.create_service(db_session=db_session, data=data)
    return created


@router.post(
    "/cases", response_model=CaseOut, status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Already opened under this idempotency key"}},
)
def open_case(
    db_session: DbSession, actor: CaseWriter, settings: AppSettings, data: CaseCreate,
    response: Response,
) -> dict[str, Any]:
    case, created = service.open_case_once(db_session=db_session, actor=actor, data=data,
                                           timezone=settings.timezone)
    if not created:
        response.status_code = status.HTTP_200_OK
    db_session.flush()
    db_session.refresh(case, ["history"])
    return service.case_out(case)


@router.get("/cases/{reference}", response_model=CaseOut)
def read_case(
    db_session: DbSession, actor: ResidentFinder, settings: AppSettings, reference: str
) -> dict[str, Any]:
    with misses_counted(db_session, actor, "reference", settings.security):
        case = service.read_case(db_session=db_session, actor=actor, reference=reference)
    out = service.case_out(case)
    return out


@router.patch("/cases/{reference}", response_model=CaseOut)
def update_case(
    db_session: DbSession, actor: CaseFinder, settings: AppSettings, reference: str,
    data: CaseUpdate,
) -> dict[str, Any]:
    """A case found by its reference, as a lookup finds it: locked and counted alike."""
    with misses_counted(db_session, actor, "reference", settings.security):
        case, _ = service.update_case(
            db_session=db_session, actor=actor, reference=reference, status=data.status,
            channel=data.channel, note=data.note,
        )
    out = service.case_out(case)
    return out
