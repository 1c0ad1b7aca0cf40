from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from crm_core.api.deps import DbSession, ResidentReader
from crm_core.api.responses import FastJSONResponse
from crm_core.exceptions import InvalidInput
from crm_core.privacy.enums import AccessOperation
from crm_core.recognition import service
from crm_core.residents.schemas import ResidentSummary
from crm_core.residents.summary import read_summary

router = APIRouter(tags=["recognition"])

Param = Annotated[str | None, Query(max_length=320)]


@router.get(
    "/lookup", response_class=FastJSONResponse,
    responses={
        200: {"model": ResidentSummary},
        404: {"description": "Nobody matches (problem+json)"},
        409: {"description": "Several residents share it; `candidates` lists them"},
    },
)
def lookup(
    db_session: DbSession, actor: ResidentReader, phone: Param = None, email: Param = None,
    reference: Param = None, account: Param = None,
) -> Any:
    """Exact lookup by exactly one of phone, e-mail, case reference or online account."""
    given = {k: v for k, v in {"phone": phone, "email": email, "reference": reference,
                                "account": account}.items() if v}
    if len(given) != 1:
        raise InvalidInput(
            "Indiquez exactement un critère : phone, email, reference ou account",
            field="query",
        )
    (kind, value), = given.items()
    finders = {
        "phone": lambda: service.by_phone(db_session=db_session, phone=value),
        "email": lambda: service.by_email(db_session=db_session, email=value),
        "reference": lambda: service.by_reference(db_session=db_session, reference=value),
        "account": lambda: service.by_account(db_session=db_session, account=value),
    }
    resident_id = finders[kind]()
    content = read_summary(
        db_session=db_session, actor=actor, resident_id=resident_id,
        operation=AccessOperation.LOOKUP, reason=kind,
    )
    db_session.commit()
    return FastJSONResponse(content)
