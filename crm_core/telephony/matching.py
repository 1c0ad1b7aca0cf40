"""Who is calling: the exact phone lookup of `crm_core.recognition`, turned into a match
that the desk shows as it rings (one resident, several candidates, or nobody)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.recognition import service as recognition
from crm_core.residents.models import Resident
from crm_core.telephony.enums import MatchKind
from crm_core.telephony.models import Call


def match_number(*, db_session: Session, number: str | None, region: str) -> dict[str, Any]:
    if not number:
        return {"kind": MatchKind.NONE, "resident_id": None, "resident": None, "candidates": []}
    try:
        resident_id = recognition.by_phone(db_session=db_session, phone=number, phone_region=region)
    except recognition.AmbiguousMatch as ambiguous:
        return {
            "kind": MatchKind.CANDIDATES, "resident_id": None, "resident": None,
            "candidates": ambiguous.extra.get("candidates", []),
        }
    except recognition.NoMatch:
        return {"kind": MatchKind.UNKNOWN, "resident_id": None, "resident": None,
                "candidates": []}
    return {
        "kind": MatchKind.RESIDENT, "resident_id": resident_id,
        "resident": _identity(db_session, resident_id), "candidates": [],
    }


def match_for_call(*, db_session: Session, call: Call, region: str) -> dict[str, Any]:
    """The caller as known now; a call already logged keeps the resident the agent chose."""
    if call.resident_id is not None and call.interaction_id is not None:
        return {
            "kind": MatchKind.RESIDENT, "resident_id": call.resident_id,
            "resident": _identity(db_session, call.resident_id), "candidates": [],
        }
    return match_number(db_session=db_session, number=call.remote_number, region=region)


def _identity(db_session: Session, resident_id: uuid.UUID) -> dict[str, Any] | None:
    row = db_session.execute(
        select(Resident.given_name, Resident.family_name, Resident.birth_date)
        .where(Resident.id == resident_id)
    ).first()
    if row is None:
        return None
    return {
        "given_name": row.given_name, "family_name": row.family_name,
        "birth_date": row.birth_date.isoformat() if row.birth_date else None,
    }
