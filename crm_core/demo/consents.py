"""The demo residents' answers to "how may the mairie contact you?", given when their file
was made, so that every screen of the demo shows the same answer (docs/consent.md).

A person of the story who agreed to be contacted on a point said yes to that way of being
contacted; the point is kept for contact. Nobody is recorded as saying no: a way nobody
asked about stays unanswered (and so a no).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.channels import Channel
from crm_core.consent.contactability import WAY_PURPOSE, ContactWay, ways_of
from crm_core.consent.service import set_consent
from crm_core.demo.people import Person
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.residents.enums import ContactKind


def answers_of(person: Person) -> list[ConsentPurpose]:
    ways: set[ContactWay] = set()
    for phone in person.phones:
        if phone.contact_allowed:
            ways.update(ways_of(ContactKind.PHONE, phone.e164))
    if any(email.contact_allowed for email in person.emails):
        ways.add(ContactWay.EMAIL)
    return sorted({WAY_PURPOSE[way] for way in ways})


def record_answers(*, db_session: Session, actor: Actor, resident_id: uuid.UUID,
                   person: Person, channel: Channel | None) -> None:
    source = ConsentSource.AGENT if actor.agent_id is not None else ConsentSource.RESIDENT
    for purpose in answers_of(person):
        set_consent(db_session=db_session, actor=actor, resident_id=resident_id,
                    purpose=purpose, granted=True, source=source, channel=channel,
                    note="à la création du dossier")
