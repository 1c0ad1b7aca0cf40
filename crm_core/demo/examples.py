"""Residents worth trying in the demo, found in the database ("try this" hints).

Found by query rather than remembered by the seed, so that `relais demo` can print them
again on a database seeded earlier.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from crm_core.cases.enums import OPEN_STATUSES, CaseStatus
from crm_core.cases.models import Case, Service
from crm_core.cases.reference import format_reference
from crm_core.cases.workflow import STATUS_LABELS_FR
from crm_core.channels import Channel
from crm_core.demo.catalogue import ONLINE_ACCOUNT_PROVIDER
from crm_core.residents.contacts import format_phone_international
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from crm_core.text import fold


@dataclass(frozen=True, slots=True)
class DemoExample:
    label: str  # what the example shows, in French
    resident_id: uuid.UUID
    name: str
    phone: str | None  # international (+33 6 …): typed the same in any region
    case_reference: str | None  # as displayed (XXXX-XXX)
    hint: str  # one line for the console


def sloppy_spelling(given_name: str, family_name: str) -> str:
    """What an agent types from hearing a name: 'Camille Durand' -> 'camile durant'."""
    words = []
    for word in fold(f"{given_name} {family_name}").split():
        word = re.sub(r"(ll|nn|tt|mm|ss)", lambda m: m.group(0)[0], word, count=1)
        word = re.sub(r"d$", "t", word)
        word = re.sub(r"ph", "f", word)
        words.append(word)
    return " ".join(words)


def _mobile(db_session: Session, resident_id: uuid.UUID) -> str | None:
    value = db_session.scalar(
        select(ContactPoint.value)
        .where(ContactPoint.resident_id == resident_id, ContactPoint.kind == ContactKind.PHONE)
        .order_by(case((ContactPoint.label == "mobile", 0), else_=1), ContactPoint.value)
        .limit(1)
    )
    return format_phone_international(value) if value else None


def _online_journey(db_session: Session) -> DemoExample | None:
    camille_first = case(
        (and_(Resident.given_name_key == "camille", Resident.family_name_key == "durand"), 0),
        else_=1,
    )
    row = db_session.execute(
        select(
            Resident.id, Resident.given_name, Resident.family_name, Case.reference,
            Case.status, Service.label, AccountLink.subject,
        )
        .join(Case, Case.resident_id == Resident.id)
        .join(Service, Service.id == Case.service_id)
        .join(AccountLink, AccountLink.resident_id == Resident.id)
        .where(
            Case.origin_channel == Channel.WEB, Case.status.in_(OPEN_STATUSES),
            AccountLink.provider == ONLINE_ACCOUNT_PROVIDER,
        )
        .order_by(camille_first, Case.opened_at.desc(), Case.reference)
        .limit(1)
    ).first()
    if row is None:
        return None
    name = f"{row.given_name} {row.family_name}"
    reference = format_reference(row.reference)
    return DemoExample(
        label="Déposée en ligne, reconnue au guichet", resident_id=row.id, name=name,
        phone=_mobile(db_session, row.id), case_reference=reference,
        hint=(
            f"Parcours en ligne → guichet : {name}, demande {reference} ({row.label},"
            f" {STATUS_LABELS_FR[CaseStatus(row.status)]}), compte en ligne"
            f" {ONLINE_ACCOUNT_PROVIDER}:{row.subject}"
        ),
    )


KNOWN_CALLER = "Appel d'un numéro connu"


def _known_caller(db_session: Session, exclude: set[uuid.UUID]) -> DemoExample | None:
    shared = (
        select(ContactPoint.value)
        .where(ContactPoint.kind == ContactKind.PHONE)
        .group_by(ContactPoint.value)
        .having(func.count() > 1)
    )
    row = db_session.execute(
        select(Resident.id, Resident.given_name, Resident.family_name, ContactPoint.value)
        .join(ContactPoint, ContactPoint.resident_id == Resident.id)
        .join(Case, Case.resident_id == Resident.id)
        .where(
            ContactPoint.kind == ContactKind.PHONE, ContactPoint.value.not_in(shared),
            Case.status.in_(OPEN_STATUSES), Resident.id.not_in(exclude),
            Resident.status == ResidentStatus.ACTIVE,
        )
        .order_by(Resident.family_name_key, Resident.given_name_key, ContactPoint.value)
        .limit(1)
    ).first()
    if row is None:
        return None
    name, phone = f"{row.given_name} {row.family_name}", format_phone_international(row.value)
    return DemoExample(
        label=KNOWN_CALLER, resident_id=row.id, name=name, phone=phone,
        case_reference=None, hint=f"Appel d'un numéro connu : {phone} → fiche de {name}",
    )


def _fuzzy_search(db_session: Session) -> DemoExample | None:
    row = db_session.execute(
        select(Resident.id, Resident.given_name, Resident.family_name, Resident.birth_date)
        .where(Resident.status == ResidentStatus.ACTIVE, Resident.birth_date.is_not(None))
        .order_by(
            case((and_(Resident.given_name_key == "camille",
                       Resident.family_name_key == "durand"), 0), else_=1),
            Resident.family_name_key, Resident.given_name_key,
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    name = f"{row.given_name} {row.family_name}"
    typed = sloppy_spelling(row.given_name, row.family_name)
    return DemoExample(
        label="Recherche approximative", resident_id=row.id, name=name,
        phone=_mobile(db_session, row.id), case_reference=None,
        hint=(
            f"Recherche approximative : tapez « {typed} », né(e) le"
            f" {row.birth_date:%d/%m/%Y} → {name}"
        ),
    )


def _shared_landline(db_session: Session) -> DemoExample | None:
    value = db_session.scalar(
        select(ContactPoint.value)
        .where(ContactPoint.kind == ContactKind.PHONE)
        .group_by(ContactPoint.value)
        .having(func.count() > 1)
        .order_by(func.count(), ContactPoint.value)
        .limit(1)
    )
    if value is None:
        return None
    rows = db_session.execute(
        select(Resident.id, Resident.given_name, Resident.family_name)
        .join(ContactPoint, ContactPoint.resident_id == Resident.id)
        .where(ContactPoint.kind == ContactKind.PHONE, ContactPoint.value == value)
        .order_by(Resident.given_name_key)
    ).all()
    phone = format_phone_international(value)
    names = " et ".join(f"{r.given_name} {r.family_name}" for r in rows)
    return DemoExample(
        label="Numéro partagé par un foyer", resident_id=rows[0].id, name=names, phone=phone,
        case_reference=None,
        hint=f"Numéro partagé par un foyer : {phone} → {names} (l'agent choisit)",
    )


def _waiting_case(db_session: Session) -> DemoExample | None:
    row = db_session.execute(
        select(Resident.id, Resident.given_name, Resident.family_name, Case.reference,
               Case.subject)
        .join(Case, Case.resident_id == Resident.id)
        .where(Case.status == CaseStatus.WAITING_RESIDENT)
        .order_by(Case.opened_at, Case.reference)
        .limit(1)
    ).first()
    if row is None:
        return None
    name, reference = f"{row.given_name} {row.family_name}", format_reference(row.reference)
    return DemoExample(
        label="Recherche par référence", resident_id=row.id, name=name, phone=None,
        case_reference=reference,
        hint=f"Référence lue au téléphone : {reference} → {name}, « {row.subject} »"
             " (en attente de l'usager)",
    )


def known_caller(examples: list[DemoExample]) -> DemoExample | None:
    """The example whose number rings the demo desk: the very one the "known number"
    hint names (a number of one resident only, never a family's)."""
    return next((example for example in examples if example.label == KNOWN_CALLER), None)


def find_examples(*, db_session: Session) -> list[DemoExample]:
    examples: list[DemoExample] = []
    online = _online_journey(db_session)
    if online:
        examples.append(online)
    exclude = {e.resident_id for e in examples}
    for found in (_known_caller(db_session, exclude), _fuzzy_search(db_session),
                  _shared_landline(db_session), _waiting_case(db_session)):
        if found:
            examples.append(found)
    return examples
