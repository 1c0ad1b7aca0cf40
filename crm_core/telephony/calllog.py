"""Logging a call on the resident's shared timeline, with the times the PBX reported."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.cases import reference as refs
from crm_core.cases import service as cases
from crm_core.cases.models import Case, Service
from crm_core.cases.schemas import CaseCreate
from crm_core.channels import Channel
from crm_core.exceptions import InvalidInput
from crm_core.interactions import service as interactions
from crm_core.interactions.enums import Direction, Outcome
from crm_core.interactions.models import Interaction
from crm_core.interactions.schemas import InteractionCreate
from crm_core.residents import service as residents
from crm_core.telephony.enums import CallDirection
from crm_core.telephony.exceptions import CallAlreadyLogged
from crm_core.telephony.models import Call
from crm_core.telephony.schemas import CallLogIn


def log_call(
    *, db_session: Session, actor: Actor, call: Call, data: CallLogIn, timezone: str,
) -> tuple[Interaction, str | None]:
    """One interaction per call: the agent's reason and outcome, linked to an existing case
    or to one opened now. Logging twice for the same resident returns the first log."""
    if data.case_reference and data.new_case:
        raise InvalidInput(
            "Choisissez une demande existante ou une nouvelle demande, pas les deux",
            field="new_case",
        )
    surviving_id = residents.writable_id(db_session=db_session, resident_id=data.resident_id)
    if call.interaction_id is not None and call.resident_id != surviving_id:
        raise CallAlreadyLogged("Cet appel est déjà enregistré sur le dossier d'un autre usager")
    reference = data.case_reference
    if call.interaction_id is not None:  # a retry answers the first log, case included
        reference = _check_replay(db_session, call, data)
    outcome = data.outcome
    if data.new_case and outcome is Outcome.INFORMED:
        outcome = Outcome.CASE_OPENED  # on a retry too: the exchange compared is the first
    if data.new_case and call.interaction_id is None:
        case = cases.open_case(
            db_session=db_session, actor=actor, opened_at=call.started_at, timezone=timezone,
            data=CaseCreate(
                resident_id=surviving_id, service_code=data.new_case.service_code,
                subject=data.new_case.subject, channel=Channel.PHONE,
                record_interaction=False,
            ),
        )
        reference = case.reference
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


def _check_replay(db_session: Session, call: Call, data: CallLogIn) -> str | None:
    """A second log of a logged call: the same content is a retry (answered with the first
    log: its case's reference); another content would be silently dropped, so it is
    refused in French."""
    first = db_session.get(Interaction, call.interaction_id)
    case = db_session.get(Case, first.case_id) if first and first.case_id else None
    outcome = data.outcome
    if data.new_case and outcome is Outcome.INFORMED:
        outcome = Outcome.CASE_OPENED
    if data.new_case:
        same_case = case is not None and case.subject == data.new_case.subject and (
            db_session.scalar(select(Service.code).where(Service.id == case.service_id))
            == data.new_case.service_code)
    elif data.case_reference:
        same_case = case is not None and case.reference == refs.normalize(data.case_reference)
    else:
        same_case = case is None
    if first is None or (first.note, first.outcome) != (data.reason, outcome) or not same_case:
        raise CallAlreadyLogged(
            "Appel déjà consigné, avec un autre contenu : rien n'a été modifié. Pour "
            "compléter, ajoutez un échange ou une note sur la fiche de l'usager.")
    return case.reference if case else None
