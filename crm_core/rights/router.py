"""`/residents/{id}/consents`, `/export`, `/erasure`: what a resident agreed to, changing
it on their behalf, everything held about them, and erasing it."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from crm_core.api.deps import AppSettings, DbSession, ResidentEraser, ResidentReader, ResidentWriter
from crm_core.api.responses import FastJSONResponse
from crm_core.consent import service as consents
from crm_core.consent.service import PURPOSE_LABELS, ConsentState
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.rights.erasure import erase_resident
from crm_core.rights.export import export_resident
from crm_core.rights.schemas import ConsentOut, ConsentsOut, ConsentUpdate, ErasureCreate

router = APIRouter(prefix="/residents", tags=["privacy"])


def _out(state: ConsentState) -> dict[str, Any]:
    return {"purpose": state.purpose, "label": PURPOSE_LABELS[state.purpose],
            "granted": state.granted, "changed_at": state.changed_at,
            "source": state.source, "channel": state.channel}


@router.get("/{resident_id}/consents", response_model=ConsentsOut)
def read_consents(db_session: DbSession, actor: ResidentReader, resident_id: uuid.UUID) -> Any:
    """Every purpose with the resident's answer (no answer is a no), and every change."""
    states, history = consents.read_consents(
        db_session=db_session, actor=actor, resident_id=resident_id
    )
    return {"consents": [_out(state) for state in states.values()], "history": history}


@router.get("/{resident_id}/export", response_class=FastJSONResponse)
def export(
    db_session: DbSession, actor: ResidentReader, settings: AppSettings, resident_id: uuid.UUID
) -> Any:
    """Everything held about the resident, for a request made at the counter or by post
    (GDPR art. 15 and 20); the resident downloads the same from their own space."""
    document = export_resident(db_session=db_session, actor=actor, resident_id=resident_id,
                               settings=settings)
    return FastJSONResponse(document, headers={
        "Content-Disposition": f'attachment; filename="relais-{resident_id}.json"'})


@router.post("/{resident_id}/erasure")
def erase(
    db_session: DbSession, actor: ResidentEraser, resident_id: uuid.UUID, data: ErasureCreate,
) -> dict[str, Any]:
    """Make the record anonymous (GDPR art. 17): identity, contact points, accounts and
    badges go, free text is blanked, cases and exchanges stay for the statistics. Final."""
    report = erase_resident(db_session=db_session, actor=actor, resident_id=resident_id,
                            reason=data.reason)
    return report.as_dict()


@router.put("/{resident_id}/consents/{purpose}", response_model=ConsentOut)
def set_consent(
    db_session: DbSession, actor: ResidentWriter, resident_id: uuid.UUID,
    purpose: ConsentPurpose, data: ConsentUpdate,
) -> Any:
    """Record the resident's yes or no, given to this agent (by phone, at the counter...)."""
    state = consents.set_consent(
        db_session=db_session, actor=actor, resident_id=resident_id, purpose=purpose,
        granted=data.granted, source=ConsentSource.AGENT, channel=data.channel, note=data.note,
    )
    return _out(state)
