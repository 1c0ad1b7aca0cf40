"""Residents created by a connector because nobody matched surely: the agents' list."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.api.deps import DbSession, ResidentReader, ResidentWriter
from crm_core.database.base import utcnow
from crm_core.exceptions import NotFound
from crm_core.residents.models import Resident
from integrations.models import ResidentReview

router = APIRouter(prefix="/integrations/reviews", tags=["integrations"])


class ReviewNotFound(NotFound):
    code = "review_not_found"
    title = "Vérification introuvable"


def pending(*, db_session: Session, limit: int = 100) -> list[dict[str, Any]]:
    """Identity only (as the duplicates list): opening the record is what gets logged."""
    rows = db_session.execute(
        select(ResidentReview, Resident.given_name, Resident.family_name, Resident.birth_date)
        .join(Resident, Resident.id == ResidentReview.resident_id)
        .where(ResidentReview.resolved_at.is_(None))
        .order_by(ResidentReview.created_at).limit(limit)
    )
    return [
        {"id": str(review.id), "resident_id": str(review.resident_id), "source": review.source,
         "reason": review.reason.value, "created_at": review.created_at.isoformat(),
         "given_name": given, "family_name": family,
         "birth_date": born.isoformat() if born else None, "candidates": review.candidates}
        for review, given, family, born in rows
    ]


def resolve(*, db_session: Session, review_id: uuid.UUID) -> ResidentReview:
    review = db_session.get(ResidentReview, review_id)
    if review is None or review.resolved_at is not None:
        raise ReviewNotFound("Cette vérification n'existe pas ou est déjà faite")
    review.resolved_at = utcnow()
    db_session.flush()
    return review


@router.get("")
def list_reviews(db_session: DbSession, actor: ResidentReader) -> list[dict[str, Any]]:
    """Residents created from the platforms that an agent should check (merge or keep)."""
    return pending(db_session=db_session)


@router.post("/{review_id}/resolve", status_code=204)
def resolve_review(review_id: uuid.UUID, db_session: DbSession, actor: ResidentWriter) -> None:
    resolve(db_session=db_session, review_id=review_id)
