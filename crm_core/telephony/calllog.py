"""Logging a call on the resident's shared timeline, with the times the PBX reported."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.cases import service as cases
from crm_core.cases.schemas import CaseCreate
from crm_core.exceptions import InvalidInput
from crm_core.interactions import service as interactions
from crm_core.interactions.enums import Channel, Direction, Outcome
from crm_core.interactions.models import Interaction
from crm_core.interactions.schemas import InteractionCreate
from crm_core.residents import service as residents
from crm_core.telephony.enums import CallDirection
from crm_core.telephony.exceptions import CallAlreadyLogged
from crm_core.telephony.models import Call
from crm_core.telephony.schemas import CallLogIn


def log_call(
    *, db_session: Session, actor: Actor, call: Call, data: CallLogIn
) -> tuple[Interaction, str | None]:
    """One interaction per call: the agent's reason and outcome, linked to an existing case
    or to one opened now. Logging twice for the same resident returns the first log."""
    if data.case_reference and data.new_case:
        raise InvalidInput(
            "Choisissez une demande existante ou une nouvelle demande, pas les deux",
            field="new_case",
        )
    surviving_id, _ = residents.resolve_id(db_session=db_session, resident_id=data.resident_id)
    if call.interaction_id is not None and call.resident_id != surviving_id:
        raise CallAlreadyLogged("Cet appel est déjà enregistré sur le dossier d'un autre usager")
    reference = data.case_reference
    outcome = data.outcome
    if data.new_case and call.interaction_id is None:
        case = cases.open_case(
            db_session=db_session, actor=actor, opened_at=call.started_at,
            data=CaseCreate(
                resident_id=surviving_id, service_code=data.new_case.service_code,
                subject=data.new_case.subject, channel=Channel.PHONE,
                record_interaction=False,
            ),
        )
        reference = case.reference
        if outcome is Outcome.INFORMED:
            outcome = Outcome.CASE_OPENED
    interaction, _ = interactions.record(
        db_session=db_session, actor=actor,
        data=InteractionCreate(
            resident_id=surviving_id, case_reference=reference, channel=Channel.PHONE,
            direction=(Direction.INBOUND if call.direction is CallDirection.INBOUND
                       else Direction.OUTBOUND),
            outcome=outcome, note=data.reason, occurred_at=call.started_at,
            ended_at=call.ended_at, idempotency_key=f"call:{call.id}",
        ),
    )
    call.interaction_id = interaction.id
    call.resident_id = surviving_id
    db_session.flush()
    return interaction, reference
