"""Exact lookups: who is this phone number, e-mail, case reference or online account?"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.cases import reference as refs
from crm_core.cases.models import Case
from crm_core.exceptions import Conflict, InvalidInput, NotFound
from crm_core.residents.accounts import provider_problem, same_provider, subject_problem
from crm_core.residents.contacts import normalize_email, normalize_phone
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from crm_core.residents.service import resolve_id


class NoMatch(NotFound):
    code = "no_match"
    title = "Aucun usager trouvé"


class AmbiguousMatch(Conflict):
    """Families share a landline or a mailbox: the agent must choose, never the system."""

    code = "ambiguous_match"
    title = "Plusieurs usagers correspondent"


def _active_residents_with(db_session: Session, kind: ContactKind, value: str) -> list[uuid.UUID]:
    return list(
        db_session.scalars(
            select(ContactPoint.resident_id)
            .join(Resident, Resident.id == ContactPoint.resident_id)
            .where(
                ContactPoint.kind == kind,
                ContactPoint.value == value,
                Resident.status == ResidentStatus.ACTIVE,
            )
            .distinct()
        )
    )


def _one(db_session: Session, ids: list[uuid.UUID], what: str) -> uuid.UUID:
    if not ids:
        raise NoMatch(f"Aucun usager connu pour {what}")
    if len(ids) > 1:
        rows = db_session.execute(
            select(Resident.id, Resident.given_name, Resident.family_name, Resident.birth_date)
            .where(Resident.id.in_(ids))
            .order_by(Resident.family_name, Resident.given_name)
        )
        candidates = [
            {
                "resident_id": str(r.id), "given_name": r.given_name,
                "family_name": r.family_name,
                "birth_date": r.birth_date.isoformat() if r.birth_date else None,
            }
            for r in rows
        ]
        raise AmbiguousMatch(
            f"{len(ids)} usagers partagent {what} : choisissez la bonne personne",
            candidates=candidates,
        )
    return ids[0]


def by_phone(*, db_session: Session, phone: str, phone_region: str) -> uuid.UUID:
    value = normalize_phone(phone, region=phone_region)
    ids = _active_residents_with(db_session, ContactKind.PHONE, value)
    return _one(db_session, ids, "ce numéro de téléphone")


def by_email(*, db_session: Session, email: str) -> uuid.UUID:
    ids = _active_residents_with(db_session, ContactKind.EMAIL, normalize_email(email))
    return _one(db_session, ids, "cette adresse e-mail")


def by_reference(*, db_session: Session, reference: str) -> uuid.UUID:
    compact = refs.normalize(reference)
    resident_id = db_session.scalar(select(Case.resident_id).where(Case.reference == compact))
    if resident_id is None:
        raise NoMatch(f"Aucune demande n'a la référence {refs.format_reference(compact)}")
    return resolve_id(db_session=db_session, resident_id=resident_id)[0]


def by_account(*, db_session: Session, account: str) -> uuid.UUID:
    provider, sep, subject = account.partition(":")
    if not sep or not provider or not subject or len(account) > 300:
        raise InvalidInput(
            "Compte en ligne attendu sous la forme FOURNISSEUR:IDENTIFIANT", field="account"
        )
    # The rule the link was stored under: a blank or invisible subject is no account.
    if (problem := provider_problem(provider) or subject_problem(subject)) is not None:
        raise InvalidInput(f"Compte en ligne invalide : {problem}", field="account")
    resident_id = db_session.scalar(
        select(AccountLink.resident_id).where(
            same_provider(AccountLink.provider, provider), AccountLink.subject == subject
        )
    )
    if resident_id is None:
        raise NoMatch("Aucun usager rattaché à ce compte en ligne")
    return resolve_id(db_session=db_session, resident_id=resident_id)[0]
