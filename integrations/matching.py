"""Who is this person? The same rules for every connector: the online-account subject
first, then the recognition matching rules (Fellegi–Sunter, names must agree), else a new
resident flagged for an agent's review.

Only a single *probable* match with the same birth date is taken automatically; a possible
match, or several, never is: the connector creates a record and an agent decides (the
duplicates review will also propose the pair). E-mail and phone only ever add weight to a
pair whose names and birth date already agree.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.channels import Channel
from crm_core.exceptions import InvalidInput
from crm_core.recognition.duplicates import _frequencies, _records
from crm_core.recognition.fellegi_sunter import Record, Verdict, compare, date_level
from crm_core.recognition.search import search
from crm_core.residents import service as residents
from crm_core.residents.accounts import same_provider
from crm_core.residents.contacts import normalize_email, normalize_phone
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import AccountLink, Resident
from crm_core.residents.schemas import ResidentCreate
from crm_core.text import name_problem
from integrations.enums import ReviewReason
from integrations.models import ResidentReview

CANDIDATES = 10


@dataclass
class Identity:
    """What a platform or the online account says about a person."""

    given_name: str
    family_name: str
    birth_date: date | None = None
    birth_name: str | None = None
    email: str | None = None
    phone: str | None = None
    insee_code: str | None = None
    account_provider: str | None = None
    account_subject: str | None = None


@dataclass
class Match:
    resident_id: uuid.UUID
    how: str  # "account", "recognition", "created"
    review: ReviewReason | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    resident: Resident | None = field(default=None, repr=False)  # keeps the row loaded


def linked_resident(db_session: Session, provider: str, subject: str) -> Resident | None:
    """The whole row, not just its id: the case opened next finds it in the session (as
    long as the caller holds it — the session's identity map keeps weak references)."""
    resident = db_session.scalar(
        select(Resident)
        .join(AccountLink, Resident.id == AccountLink.resident_id)
        .where(same_provider(AccountLink.provider, provider), AccountLink.subject == subject)
    )
    if resident is None or resident.status != ResidentStatus.MERGED:
        return resident
    return residents.get(db_session=db_session, resident_id=resident.id)


def by_account(db_session: Session, provider: str, subject: str) -> uuid.UUID | None:
    resident = linked_resident(db_session, provider, subject)
    return resident.id if resident is not None else None


def _contacts(
    identity: Identity, *, with_contacts: bool, phone_region: str
) -> tuple[set[str], set[str]]:
    if not with_contacts:
        return set(), set()
    phones, emails = set(), set()
    try:
        if identity.phone:
            phones.add(normalize_phone(identity.phone, region=phone_region))
    except InvalidInput:
        pass
    try:
        if identity.email:
            emails.add(normalize_email(identity.email))
    except InvalidInput:
        pass
    return phones, emails


def scored_candidates(
    db_session: Session, identity: Identity, *, phone_region: str, with_contacts: bool = True
) -> list[tuple[Record, Verdict]]:
    """Residents the recognition search proposes, each weighed against the identity
    (phone numbers without a country code read in `phone_region`)."""
    outcome = search(
        db_session=db_session, q=f"{identity.given_name} {identity.family_name}",
        birth_date=identity.birth_date, limit=CANDIDATES,
        phone_region=phone_region,
    )
    ids = [candidate.resident_id for candidate in outcome.results]
    if not ids:
        return []
    records = _records(db_session, ids)
    phones, emails = _contacts(identity, with_contacts=with_contacts,
                               phone_region=phone_region)
    incoming = Record(
        resident_id=None, given_name=identity.given_name, family_name=identity.family_name,
        birth_name=identity.birth_name, birth_date=identity.birth_date, address_line=None,
        postal_code=None, insee_code=identity.insee_code, city=None, phones=phones,
        emails=emails,
    )
    frequency = _frequencies(db_session, [incoming, *records.values()])
    scored = []
    for record in records.values():
        if not with_contacts:
            record.phones, record.emails = set(), set()
        verdict = compare(incoming, record, frequency)
        if verdict.decision:
            scored.append((record, verdict))
    scored.sort(key=lambda item: -item[1].weight)
    return scored


def sure_match(scored: list[tuple[Record, Verdict]], birth_date: date | None) -> Record | None:
    probable = [
        record for record, verdict in scored
        if verdict.decision == "probable" and date_level(birth_date, record.birth_date) == "exact"
    ]
    return probable[0] if len(probable) == 1 else None


def evidence_of(scored: list[tuple[Record, Verdict]]) -> list[dict[str, Any]]:
    return [
        {
            "resident_id": str(record.resident_id), "decision": verdict.decision,
            "weight": verdict.weight,
            "comparisons": [{"field": c.field, "level": c.level} for c in verdict.comparisons],
        }
        for record, verdict in scored
    ]


def find_or_create(
    *, db_session: Session, identity: Identity, source: str, phone_region: str,
    channel: Channel = Channel.WEB,
) -> Match:
    if identity.account_provider and identity.account_subject:
        linked = linked_resident(db_session, identity.account_provider,
                                 identity.account_subject)
        if linked is not None:
            return Match(linked.id, "account", resident=linked)
    scored = scored_candidates(db_session, identity, phone_region=phone_region)
    sure = sure_match(scored, identity.birth_date)
    if sure is not None:
        assert isinstance(sure.resident_id, uuid.UUID)
        return Match(sure.resident_id, "recognition", evidence=evidence_of(scored[:1]))
    resident = create_resident(db_session=db_session, identity=identity, channel=channel,
                               phone_region=phone_region)
    reason = ReviewReason.AMBIGUOUS if scored else ReviewReason.UNMATCHED
    db_session.add(ResidentReview(
        resident_id=resident, source=source, reason=reason, candidates=evidence_of(scored),
    ))
    db_session.flush()
    return Match(resident, "created", review=reason, evidence=evidence_of(scored))


def create_resident(
    *, db_session: Session, identity: Identity, channel: Channel, phone_region: str
) -> uuid.UUID:
    phones, emails = _contacts(identity, with_contacts=True, phone_region=phone_region)
    for name in (identity.given_name, identity.family_name, identity.birth_name or "x"):
        if (problem := name_problem(name)) is not None:  # a platform's data, told in French
            raise InvalidInput(problem[0].upper() + problem[1:], field="resident")
    data = ResidentCreate(
        given_name=identity.given_name, family_name=identity.family_name,
        birth_name=identity.birth_name, birth_date=identity.birth_date,
        insee_code=identity.insee_code, phones=sorted(phones), emails=sorted(emails),
        channel=channel,
    )
    resident = residents.create(db_session=db_session, actor=SYSTEM, data=data, channel=channel,
                                 phone_region=phone_region)
    if identity.account_provider and identity.account_subject:
        residents.link_account(
            db_session=db_session, actor=SYSTEM, resident_id=resident.id,
            provider=identity.account_provider, subject=identity.account_subject,
            channel=channel,
        )
    return resident.id
