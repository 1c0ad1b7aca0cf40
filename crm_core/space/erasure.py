"""What erasing a resident does to the space's tables (registered with the core erasure)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from crm_core.database.base import utcnow
from crm_core.privacy.erasure_hooks import register
from crm_core.space.enums import PrivacyRequestKind, PrivacyRequestStatus
from crm_core.space.models import PrivacyRequest, ResidentSession


def _sessions(db_session: Session, family: list[uuid.UUID]) -> None:
    db_session.execute(delete(ResidentSession).where(ResidentSession.resident_id.in_(family)))


def _requests(db_session: Session, family: list[uuid.UUID]) -> None:
    db_session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.resident_id.in_(family),
               PrivacyRequest.kind == PrivacyRequestKind.ERASURE,
               PrivacyRequest.status == PrivacyRequestStatus.OPEN)
        .values(status=PrivacyRequestStatus.DONE, handled_at=utcnow(),
                answer="Dossier effacé (rendu anonyme)"))
    db_session.execute(update(PrivacyRequest).where(PrivacyRequest.resident_id.in_(family))
                       .values(message=None))


def register_hooks() -> None:
    """Called by `crm_core.app.bootstrap.bootstrap()` (idempotent)."""
    register("resident_session.resident_id", "deleted (the person is signed out)", _sessions)
    register("privacy_request.resident_id",
             "open erasure requests marked done; the resident's free text blanked", _requests)
