"""How erasing a resident scrubs the integrations' own tables (registered with the core's
erasure, which never imports this package)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crm_core.cases.models import Case
from crm_core.privacy.erasure_hooks import register
from integrations.models import AccountLinkProposal, Open311Request, ResidentReview


def _proposals(db_session: Session, family: list[uuid.UUID]) -> None:
    db_session.execute(delete(AccountLinkProposal)
                       .where(AccountLinkProposal.resident_id.in_(family)))


def _reviews(db_session: Session, family: list[uuid.UUID]) -> None:
    db_session.execute(update(ResidentReview).where(ResidentReview.resident_id.in_(family))
                       .values(candidates=[]))


def _open311(db_session: Session, family: list[uuid.UUID]) -> None:
    # The place of a report stays (it is about the street); what points at the reporter goes.
    cases = select(Case.id).where(Case.resident_id.in_(family))
    db_session.execute(update(Open311Request).where(Open311Request.case_id.in_(cases)).values(
        address_id=None, device_id=None, account_id=None, media_url=None))


def register_hooks() -> None:
    """Called at start-up through the integrations' plugin (idempotent)."""
    register("account_link_proposal.resident_id",
             "deleted (the claims of a sign-in awaiting confirmation)", _proposals)
    register("integration_resident_review.resident_id",
             "candidates listed for the reviewer blanked", _reviews)
    register("open311_request.case_id", "reporter's device, account and photo blanked",
             _open311)
