"""Interactions: one exchange on one channel, recorded once even when clients retry."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.cases import reference as refs
from crm_core.cases import service as cases
from crm_core.cases.models import Case
from crm_core.database.base import utcnow
from crm_core.exceptions import Conflict, InvalidInput, check_replay, same_text
from crm_core.interactions.models import Interaction
from crm_core.interactions.schemas import InteractionCreate
from crm_core.interactions.timing import check_ended_at, check_recorded_at
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.residents import service as residents

# Offline journals may replay days later, but not from the future nor from long ago.


def record(
    *, db_session: Session, actor: Actor, data: InteractionCreate
) -> tuple[Interaction, bool]:
    """Returns the interaction and whether it was created (False: an idempotent replay)."""
    if data.idempotency_key:
        existing = db_session.scalar(
            select(Interaction).where(Interaction.idempotency_key == data.idempotency_key)
        )
        if existing is not None:
            return _check_replay(db_session, actor, existing, data), False
    resident = residents.get_writable(db_session=db_session, resident_id=data.resident_id)
    channel = data.channel or actor.channel
    if channel is None:
        raise InvalidInput("Précisez le canal (web, guichet, téléphone...)", field="channel")
    now = utcnow()
    occurred_at = data.occurred_at or now
    check_recorded_at(occurred_at, now=now, field="occurred_at", what="de l'échange")
    if data.ended_at:
        check_ended_at(data.ended_at, occurred_at=occurred_at, now=now)
    case = (_case_of(db_session, data.case_reference, resident.id)
            if data.case_reference else None)
    interaction = Interaction(
        resident_id=resident.id, case_id=case.id if case else None, channel=channel,
        direction=data.direction, outcome=data.outcome, note=data.note,
        occurred_at=occurred_at, ended_at=data.ended_at, agent_id=actor.agent_id,
        site_id=actor.site_id, idempotency_key=data.idempotency_key,
    )
    try:
        # A savepoint, so that losing a race on the key leaves the transaction usable.
        with db_session.begin_nested():
            db_session.add(interaction)
            record_access(
                db_session=db_session, actor=actor, resident_id=resident.id,
                operation=AccessOperation.RECORD_INTERACTION, channel=channel,
                reason=case.reference if case else None,  # the resident sees which case
            )
    except IntegrityError as exc:  # the same key sent twice at the same moment
        raise Conflict("Échange déjà en cours d'enregistrement, réessayez") from exc
    return interaction, True


def _case_of(db_session: Session, reference: str, resident_id: uuid.UUID) -> Case:
    """The resident's case with this reference. Another resident's answers exactly as a
    reference that names nothing: a different answer would confirm to someone guessing
    references that a case exists."""
    try:
        case = cases.get_by_reference(db_session=db_session, reference=reference)
    except cases.CaseNotFound:
        case = None
    if case is None or case.resident_id != resident_id:
        raise cases.CaseNotFound(
            f"Aucune demande de cet usager n'a la référence "
            f"{refs.format_reference(refs.normalize(reference))}", field="case_reference")
    return case


def _check_replay(
    db_session: Session, actor: Actor, existing: Interaction, data: InteractionCreate
) -> Interaction:
    """The same key with the same content is a retry, answered with the first record; with
    another content it is refused. Compared: what the client sets, after validation (the
    stored values went through the same validators), never the times."""
    surviving_id, _ = residents.resolve_id(db_session=db_session, resident_id=data.resident_id)
    reference = None
    if existing.case_id:
        reference = db_session.scalar(select(Case.reference).where(Case.id == existing.case_id))
    asked = refs.normalize(data.case_reference) if data.case_reference else None
    check_replay([label for label, differs in (
        ("usager", existing.resident_id != surviving_id),
        ("résultat", existing.outcome != data.outcome),
        ("sens", existing.direction != data.direction),
        ("note", not same_text(existing.note, data.note)),
        ("demande", reference != asked),
        ("canal", data.channel is not None and existing.channel != data.channel),
    ) if differs], by_owner=actor.may_replay(existing.agent_id))
    return existing


def interaction_out(db_session: Session, interaction: Interaction) -> dict[str, Any]:
    reference = None
    if interaction.case_id:
        reference = db_session.scalar(select(Case.reference).where(Case.id == interaction.case_id))
    return {
        "id": interaction.id, "resident_id": interaction.resident_id,
        "case_reference": reference, "channel": interaction.channel,
        "direction": interaction.direction, "outcome": interaction.outcome,
        "note": interaction.note, "occurred_at": interaction.occurred_at,
        "ended_at": interaction.ended_at, "agent_id": interaction.agent_id,
        "site_id": interaction.site_id,
    }
