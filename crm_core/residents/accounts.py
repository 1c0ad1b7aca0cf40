"""What an online account is made of, checked the same way at every way in (the agents'
API, the lookups, the platforms' events, the identity provider's claims).

A provider is one of our own short codes (« compte-unique », « fc »): ASCII letters,
digits, dots, hyphens and underscores, case-insensitive (« Compte-Unique » is the same
provider: stored lower-cased, or the same account could be linked twice; migration 0022
lower-cased the links stored before, so lookups compare with plain equality and use the
unique index on (provider, subject)).
A subject is the provider's identifier of the person: compared as sent, so held to the
strict identifier rule of `crm_core.text` (printable, no space, no invisible or
direction mark), never normalised."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from crm_core.residents.models import AccountLink
from crm_core.text import Identifier, identifier_problem

PROVIDER_MAX = 50
SUBJECT_MAX = 255
_PROVIDER = re.compile(r"[A-Za-z0-9._-]+")


def provider_problem(provider: str) -> str | None:
    """Why `provider` is not a provider code, in French, or None."""
    if not provider:
        return "fournisseur vide"
    if len(provider) > PROVIDER_MAX or not _PROVIDER.fullmatch(provider):
        return (f"fournisseur invalide : au plus {PROVIDER_MAX} lettres sans accent, "
                "chiffres, points, tirets ou soulignés")
    return None


def normalise_provider(provider: str) -> str:
    """The stored form of a provider code: lower case (the code is ASCII)."""
    return provider.lower()


def same_provider(column: InstrumentedAttribute[str], provider: str) -> ColumnElement[bool]:
    """`column` names `provider`, whatever its case. Plain equality on the stored lower
    case: `lower(column)` would keep the lookup off the index on (provider, subject)."""
    return column == normalise_provider(provider)


def subject_problem(subject: str) -> str | None:
    """Why `subject` is not an account identifier, in French, or None."""
    if len(subject) > SUBJECT_MAX:
        return f"identifiant de compte trop long (au plus {SUBJECT_MAX} caractères)"
    return identifier_problem(subject)


def links_stored_before_the_rules(*, db_session: Session) -> tuple[list[uuid.UUID],
                                                                  list[uuid.UUID]]:
    """Ids of the links whose subject breaks the identifier rule (stored before it: never
    rewritten, identities are compared as sent), and of those whose provider is not lower
    case (left by migration 0022 where lower-casing would have made two links one).
    Reported by `relais audit verify` for a person to review."""
    rows = db_session.execute(select(AccountLink.id, AccountLink.provider, AccountLink.subject)
                              .order_by(AccountLink.created_at, AccountLink.id)).all()
    subjects = [row.id for row in rows if subject_problem(row.subject) is not None]
    providers = [row.id for row in rows if row.provider != normalise_provider(row.provider)]
    return subjects, providers


def _check_provider(provider: str) -> str:
    if (problem := provider_problem(provider)) is not None:
        raise ValueError(problem)
    return normalise_provider(provider)


AccountProvider = Annotated[str, StringConstraints(max_length=PROVIDER_MAX),
                            AfterValidator(_check_provider)]
AccountSubject = Annotated[str, StringConstraints(min_length=1, max_length=SUBJECT_MAX),
                           Identifier]
