from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, StringConstraints

from crm_core.agents.actor import Actor
from crm_core.api.deps import DbSession, ResidentFinder, app_settings
from crm_core.api.responses import FastJSONResponse
from crm_core.badges import service as badges
from crm_core.badges.enums import BadgeKind
from crm_core.config import city_today
from crm_core.exceptions import Conflict, DomainError, InvalidInput
from crm_core.privacy import service as access_log
from crm_core.privacy.enums import AccessOperation
from crm_core.recognition import service
from crm_core.residents.schemas import ResidentSummary
from crm_core.security import service as guard
from crm_core.summary.service import read_summary

router = APIRouter(tags=["recognition"])

Param = Annotated[str | None, Query(max_length=400)]
_Value = Annotated[str, StringConstraints(max_length=400)] | None


class LookupQuery(BaseModel):
    """The same criteria as `GET /lookup`, in the body: a phone number, an e-mail or a
    badge token stays out of URLs, which proxies and browsers log."""

    model_config = ConfigDict(extra="forbid")
    phone: _Value = None
    email: _Value = None
    reference: _Value = None
    account: _Value = None
    badge: _Value = None
    card: _Value = None

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": ResidentSummary},
    404: {"description": "Nobody matches (problem+json)"},
    409: {"description": "Several residents share it; `candidates` lists them"},
}


@router.get("/lookup", response_class=FastJSONResponse, responses=_RESPONSES)
def lookup(
    request: Request, db_session: DbSession, actor: ResidentFinder, phone: Param = None,
    email: Param = None, reference: Param = None, account: Param = None, badge: Param = None,
    card: Param = None,
) -> Any:
    """Exact lookup by exactly one of: phone, e-mail, case reference, online account
    (`PROVIDER:SUBJECT`), scanned badge token, or card UID (hex). The apps use
    `POST /lookup`, which keeps these out of the URL."""
    criteria = {"phone": phone, "email": email, "reference": reference, "account": account,
                "badge": badge, "card": card}
    return _lookup_one(request, db_session, actor, criteria)


@router.post("/lookup", response_class=FastJSONResponse, responses=_RESPONSES)
def lookup_in_body(
    request: Request, db_session: DbSession, actor: ResidentFinder, query: LookupQuery
) -> Any:
    """`GET /lookup` with its criterion in a JSON body (`{"badge": "…"}`)."""
    return _lookup_one(request, db_session, actor, query.model_dump())


def _lookup_one(request: Request, db_session: DbSession, actor: Actor,
                criteria: dict[str, str | None]) -> Any:
    given = {kind: value for kind, value in criteria.items() if value}
    if len(given) != 1:
        raise InvalidInput(
            "Indiquez exactement un critère : phone, email, reference, account, badge ou card",
            field="query",
        )
    (kind, value), = given.items()
    try:
        return _lookup(request, db_session, actor, kind, value)
    except Conflict as shared:  # a number a family shares: found, several times
        db_session.rollback()
        # The candidates' names and birth dates are shown: each one is a read.
        candidates = shared.extra.get("candidates", [])
        access_log.record_accesses(
            db_session=db_session, actor=actor, operation=AccessOperation.LOOKUP,
            entries=[(uuid.UUID(c["resident_id"]), None, f"{kind} partagé")
                     for c in candidates])
        db_session.commit()  # the candidates shown are logged though the request fails
        raise
    except DomainError as refused:
        db_session.rollback()
        if refused.malformed:  # sought nobody: a mistyped value is no enumeration
            raise
        guard.lookup_missed(db_session=db_session, policy=app_settings(request).security,
                            actor=actor, kind=kind)
        db_session.commit()  # the miss counts even though the request fails
        raise


def _lookup(request: Request, db_session: DbSession, actor: Actor, kind: str, value: str
            ) -> Any:
    if kind in ("badge", "card"):
        return _badge_lookup(request, db_session, actor, kind, value)
    finders = {
        "phone": lambda: service.by_phone(
            db_session=db_session, phone=value,
            phone_region=app_settings(request).default_phone_region),
        "email": lambda: service.by_email(db_session=db_session, email=value),
        "reference": lambda: service.by_reference(db_session=db_session, reference=value),
        "account": lambda: service.by_account(db_session=db_session, account=value),
    }
    resident_id = finders[kind]()
    content = read_summary(
        db_session=db_session, actor=actor, resident_id=resident_id,
        today=city_today(app_settings(request).timezone),
        operation=AccessOperation.LOOKUP, reason=kind,
    )
    return FastJSONResponse(content)


def _badge_lookup(
    request: Request, db_session: DbSession, actor: Actor, kind: str, value: str
) -> Any:
    settings = request.app.state.settings
    if kind == "badge":
        badge = badges.resolve_token(
            db_session=db_session, actor=actor, settings=settings, token=value
        )
    else:
        badge = badges.resolve_card(
            db_session=db_session, actor=actor, settings=settings, uid_hex=value
        )
    content = read_summary(
        db_session=db_session, actor=actor, resident_id=badge.resident_id,
        today=city_today(settings.timezone), operation=AccessOperation.BADGE_SCAN,
        reason=badge.kind.value,
    )
    content["matched_badge"] = {
        "id": badge.id, "kind": badge.kind,
        # A card's first tap is confirmed by the agent before they trust it (cloneable UID).
        "needs_confirmation": badge.kind is BadgeKind.CARD and badge.confirmed_at is None,
    }
    return FastJSONResponse(content)
