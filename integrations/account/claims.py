"""FranceConnect-style claims to an identity.

- `given_name`: every first name, space-separated; `family_name`: the birth name;
  `preferred_username`: the usage name, when there is one.
- `birthdate` may be approximate: `YYYY-01-01` (or `YYYY-MM-01`) when the day or month is
  unknown to the civil registry; such a date never counts as a sure agreement.
- `birthplace`: INSEE code of the commune of birth (empty when born abroad),
  `birthcountry`: 99100 for France.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from crm_core.residents.accounts import subject_problem
from integrations.exceptions import OidcError
from integrations.matching import Identity


@dataclass
class AccountClaims:
    subject: str
    identity: Identity | None  # None: the provider gave no usable name
    birth_date_exact: bool
    email_verified: bool
    phone_verified: bool


def _text(claims: dict[str, Any], name: str, limit: int = 100) -> str | None:
    value = claims.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def _birth_date(raw: Any, today: date) -> tuple[date | None, bool]:
    if not isinstance(raw, str):
        return None, False
    try:
        parsed = date.fromisoformat(raw[:10])
    except ValueError:
        return None, False
    if not date(1880, 1, 1) <= parsed <= today:
        return None, False
    return parsed, parsed.day != 1  # the 1st may stand for "day unknown"


def read(claims: dict[str, Any], *, provider: str, today: date) -> AccountClaims:
    """The claims as an identity; a birth date after `today` (the city's) is dropped."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise OidcError("Le fournisseur d'identité n'a pas donné d'identifiant (sub)")
    # Stored as the account link's subject: the same rule as every other way in.
    if (problem := subject_problem(subject)) is not None:
        raise OidcError(f"Identifiant (sub) du fournisseur d'identité refusé : {problem}")
    given = _text(claims, "given_name")
    birth_family = _text(claims, "family_name")
    usage = _text(claims, "preferred_username")
    birth_date, exact = _birth_date(claims.get("birthdate"), today)
    identity = None
    if given and (usage or birth_family):
        family = usage or birth_family
        assert family is not None
        identity = Identity(
            given_name=given, family_name=family,
            birth_name=birth_family if usage and birth_family != usage else None,
            birth_date=birth_date, email=_text(claims, "email", 320),
            phone=_text(claims, "phone_number", 40), account_provider=provider,
            account_subject=subject,
        )
    return AccountClaims(
        subject=subject, identity=identity, birth_date_exact=exact,
        email_verified=claims.get("email_verified") is True,
        phone_verified=claims.get("phone_number_verified") is True,
    )
