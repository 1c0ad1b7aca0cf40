from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Permission
from crm_core.api.deps import BearerToken, DbSession, current_actor
from crm_core.exceptions import PermissionDenied
from crm_core.security import service
from crm_core.security.enums import EventKind
from crm_core.security.schemas import SecurityEventOut

router = APIRouter(prefix="/security", tags=["security"])


def security_reviewer(request: Request, db_session: DbSession, token: BearerToken) -> Actor:
    """Supervisors (who see the front office) and admins (who run the accounts)."""
    actor = current_actor(request, db_session, token)
    if not (actor.can(Permission.REPORT_READ) or actor.can(Permission.AGENT_ADMIN)):
        raise PermissionDenied("Votre rôle ne permet pas de consulter les alertes de sécurité",
                               permission="security:read")
    return actor


Reviewer = Annotated[Actor, Depends(security_reviewer)]


@router.get("/events", response_model=list[SecurityEventOut])
def list_events(db_session: DbSession, actor: Reviewer,
                limit: Annotated[int, Query(ge=1, le=500)] = 100,
                kind: EventKind | None = None) -> Any:
    """Accounts locked after failed sign-ins, agents whose lookups miss like a scan,
    platforms flooding an endpoint, changes of agents (with their author): newest first."""
    return service.list_events(db_session=db_session, limit=limit, kind=kind)
