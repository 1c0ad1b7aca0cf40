"""Normalisation of contact points: one canonical form per phone number and e-mail."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from crm_core.exceptions import InvalidInput
from crm_core.text import echoed, text_problem

MAX_RAW_LENGTH = 320


def normalize_phone(raw: str, *, region: str = "FR") -> str:
    """Any usual French or international writing -> E.164 ('+33612345678')."""
    text = raw.strip()
    if not text or len(text) > 40:
        raise InvalidInput(f"Numéro de téléphone invalide : « {echoed(raw, 40)} »", field="phone")
    # Refused, not stripped by the parser: a direction override or an invisible mark is
    # named (as for e-mails and `relais phone ring`), never kept out of sight.
    if problem := text_problem(text, "number"):
        raise InvalidInput(f"Numéro de téléphone invalide : {problem}", field="phone")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(
            f"Numéro de téléphone illisible : « {echoed(text)} »", field="phone"
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(f"Numéro de téléphone invalide : « {echoed(text)} »", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_for_display(e164: str) -> str:
    number = phonenumbers.parse(e164, None)
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def format_phone_international(e164: str) -> str:
    """'+33 6 12 34 56 78': the writing read the same whatever the default region (a
    number printed for someone to type, like the demo's)."""
    return phonenumbers.format_number(phonenumbers.parse(e164, None),
                                      phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email(raw: str) -> str:
    """Validated and case-folded. Local parts are case-insensitive in practice everywhere."""
    text = raw.strip()
    if not text or len(text) > MAX_RAW_LENGTH:
        raise InvalidInput("Adresse e-mail invalide", field="email")
    if problem := text_problem(text, "email"):
        raise InvalidInput(f"Adresse e-mail invalide : {problem}", field="email")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"Adresse e-mail invalide : « {echoed(text, 80)} »",
                           field="email") from exc
    return result.normalized.casefold()
