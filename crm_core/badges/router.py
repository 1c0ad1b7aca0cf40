from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, status

from crm_core.api.deps import (
    AppSettings,
    BadgeFinder,
    DbSession,
    ResidentReader,
    ResidentWriter,
    misses_counted,
)
from crm_core.badges import service
from crm_core.badges.schemas import BadgeCreate, BadgeIssued, BadgeOut, BadgeRevoke
from crm_core.privacy import service as access_log
from crm_core.privacy.enums import AccessOperation
from crm_core.residents.service import resolve_id

router = APIRouter(tags=["badges"])


@router.post(
    "/residents/{resident_id}/badges", response_model=BadgeIssued,
    status_code=status.HTTP_201_CREATED,
)
def issue_badge(
    request: Request, db_session: DbSession, actor: ResidentWriter, resident_id: uuid.UUID,
    data: BadgeCreate | None = None,
) -> dict[str, Any]:
    """A QR badge (the token is returned once, to be shown or printed) or a card."""
    badge, token = service.issue(
        db_session=db_session, actor=actor, settings=request.app.state.settings,
        resident_id=resident_id, data=data or BadgeCreate(),
    )
    return {"id": badge.id, "kind": badge.kind, "token": token, "expires_at": badge.expires_at}


@router.get("/residents/{resident_id}/badges", response_model=list[BadgeOut])
def list_badges(
    db_session: DbSession, actor: ResidentReader, resident_id: uuid.UUID
) -> list[dict[str, Any]]:
    surviving_id, _ = resolve_id(db_session=db_session, resident_id=resident_id)
    badges = service.list_for_resident(db_session=db_session, resident_id=resident_id)
    out = [service.badge_out(badge) for badge in badges]
    access_log.record_access(db_session=db_session, actor=actor, resident_id=surviving_id,
                             operation=AccessOperation.READ_BADGES)
    return out


@router.post("/badges/{badge_id}/revoke", response_model=BadgeOut)
def revoke_badge(
    db_session: DbSession, actor: BadgeFinder, settings: AppSettings, badge_id: str,
    data: BadgeRevoke | None = None,
) -> dict[str, Any]:
    """Effective immediately: every later scan of this badge is refused. A badge id leads
    to its holder's file: found as a lookup finds it (locked and counted alike)."""
    with misses_counted(db_session, actor, "badge", settings.security):
        badge = service.revoke(db_session=db_session, actor=actor, badge_id=badge_id,
                               reason=data.reason if data else None)
    return service.badge_out(badge)


@router.post("/badges/{badge_id}/confirm", response_model=BadgeOut)
def confirm_card(
    db_session: DbSession, actor: BadgeFinder, settings: AppSettings, badge_id: str
) -> dict[str, Any]:
    """The agent has checked the identity of the person holding this card."""
    with misses_counted(db_session, actor, "badge", settings.security):
        badge = service.confirm_card(db_session=db_session, actor=actor, badge_id=badge_id)
    return service.badge_out(badge)
