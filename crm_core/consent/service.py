"""Consents: a resident's yes or no per purpose, with every change kept.

Opt-in: a purpose nobody asked about is a no. Withdrawing is one call, like giving. Each
change says when, on which channel and who made it — the resident (their space, an
opt-out link) or an agent on their behalf. Whatever contacts a resident at a contact
point asks `contactability` (the way's consent here, and the point kept for contact),
the one answer every screen shows (docs/consent.md). A merge does not carry the merged
record's answers over: a yes given about one record is not a yes about another.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.channels import Channel
from crm_core.exceptions import Conflict
from crm_core.privacy.enums import AccessOperation, ConsentPurpose, ConsentSource
from crm_core.privacy.models import ConsentChange
from crm_core.privacy.service import record_access
from crm_core.residents.service import resolve_id, writable_id
from crm_core.text import de

# French labels for the messages that go back to agents and residents.
PURPOSE_LABELS = {
    ConsentPurpose.CONTACT_PHONE: "être contacté(e) par téléphone",
    ConsentPurpose.CONTACT_EMAIL: "être contacté(e) par courriel",
    ConsentPurpose.CONTACT_SMS: "recevoir des SMS",
    ConsentPurpose.CONTACT_POST: "recevoir des courriers",
    ConsentPurpose.REMINDERS: "recevoir des rappels",
    ConsentPurpose.ACCOUNT_PROFILE_AT_COUNTER: "utiliser le profil du compte en ligne au guichet",
}


class ConsentMissing(Conflict):
    code = "consent_missing"
    title = "Consentement absent"


@dataclass(frozen=True)
class ConsentState:
    purpose: ConsentPurpose
    granted: bool
    changed_at: datetime | None  # None: never asked, so no
    source: ConsentSource | None
    channel: Channel | None


def _history(db_session: Session, resident_id: uuid.UUID) -> list[ConsentChange]:
    return list(db_session.scalars(
        select(ConsentChange).where(ConsentChange.resident_id == resident_id)
        .order_by(ConsentChange.changed_at.desc(), ConsentChange.id)
    ))


def _current(changes: list[ConsentChange]) -> dict[ConsentPurpose, ConsentState]:
    states = {purpose: ConsentState(purpose, False, None, None, None)
              for purpose in ConsentPurpose}
    seen: set[ConsentPurpose] = set()
    for change in changes:  # newest first
        if change.purpose not in seen:
            seen.add(change.purpose)
            states[change.purpose] = ConsentState(
                change.purpose, change.granted, change.changed_at, change.source, change.channel
            )
    return states


def read_consents(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID
) -> tuple[dict[ConsentPurpose, ConsentState], list[ConsentChange]]:
    """The answer per purpose and the whole history, newest first (a logged read)."""
    surviving_id, _ = resolve_id(db_session=db_session, resident_id=resident_id)
    changes = _history(db_session, surviving_id)
    if actor.agent_id is not None:
        record_access(db_session=db_session, actor=actor, resident_id=surviving_id,
                      operation=AccessOperation.READ_CONSENTS)
    return _current(changes), changes


def set_consent(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, purpose: ConsentPurpose,
    granted: bool, source: ConsentSource, channel: Channel | None = None,
    note: str | None = None,
) -> ConsentState:
    """Give or withdraw. Saying again what is already the answer changes nothing."""
    surviving_id = writable_id(db_session=db_session, resident_id=resident_id)
    current = _current(_history(db_session, surviving_id))[purpose]
    if current.changed_at is not None and current.granted == granted:
        return current
    change = ConsentChange(
        resident_id=surviving_id, purpose=purpose, granted=granted, source=source,
        channel=channel or actor.channel, agent_id=actor.agent_id,
        note=note[:200] if note else None,
    )
    db_session.add(change)
    if actor.agent_id is not None:
        record_access(
            db_session=db_session, actor=actor, resident_id=surviving_id,
            operation=AccessOperation.UPDATE_CONSENT,
            reason=f"{purpose.value}={'oui' if granted else 'non'}",
        )
    db_session.flush()
    return ConsentState(purpose, granted, change.changed_at, source, change.channel)


def may_contact(*, db_session: Session, resident_id: uuid.UUID, purpose: ConsentPurpose) -> bool:
    latest = db_session.scalar(
        select(ConsentChange.granted)
        .where(ConsentChange.resident_id == resident_id, ConsentChange.purpose == purpose)
        .order_by(ConsentChange.changed_at.desc(), ConsentChange.id).limit(1)
    )
    return bool(latest)


def require_consent(
    *, db_session: Session, resident_id: uuid.UUID, purpose: ConsentPurpose
) -> None:
    if not may_contact(db_session=db_session, resident_id=resident_id, purpose=purpose):
        raise ConsentMissing(
            f"L'usager n'a pas accepté {de(PURPOSE_LABELS[purpose])}", purpose=purpose.value
        )
