"""What an online account is made of, checked the same way at every way in (the agents'
API, the lookups, the platforms' events, the identity provider's claims).

A provider is one of our own short codes (« compte-unique », « fc »): ASCII letters,
digits, dots, hyphens and underscores. A subject is the provider's identifier of the
person: compared as sent, so held to the strict identifier rule of `crm_core.text`
(printable, no space, no invisible or direction mark), never normalised."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

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


def subject_problem(subject: str) -> str | None:
    """Why `subject` is not an account identifier, in French, or None."""
    if len(subject) > SUBJECT_MAX:
        return f"identifiant de compte trop long (au plus {SUBJECT_MAX} caractères)"
    return identifier_problem(subject)


def _check_provider(provider: str) -> str:
    if (problem := provider_problem(provider)) is not None:
        raise ValueError(problem)
    return provider


AccountProvider = Annotated[str, StringConstraints(max_length=PROVIDER_MAX),
                            AfterValidator(_check_provider)]
AccountSubject = Annotated[str, StringConstraints(min_length=1, max_length=SUBJECT_MAX),
                           Identifier]
