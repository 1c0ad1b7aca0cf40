"""Reading the search box: names, a birth date, a phone fragment, an e-mail, a reference.

Agents type whatever they have into one box ("camile durant", "DURAND Camille 12/03/1984",
"06 12 34 56 78", "…56 78", "c.durand@", "7K4M-2XA"). Each part is recognised by its
shape; what is left is names. Nothing here touches the database, and nothing typed ever
reaches SQL as text: names become letter-and-digit tokens, the rest normalised values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from crm_core.cases import reference as refs
from crm_core.exceptions import InvalidInput
from crm_core.recognition.keys import national_digits, tokens
from crm_core.residents.contacts import normalize_email, normalize_phone
from crm_core.text import count

MAX_QUERY = 200
MAX_NAME_TOKENS = 6
MIN_PHONE_DIGITS = 4

_EMAIL = re.compile(r"[^\s@]*@[^\s@]*")
_DATE_FR = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_REFERENCE = re.compile(r"\b[0-9A-Za-z]{4}[- ]?[0-9A-Za-z]{3}\b")
_PHONE = re.compile(r"\+?\d[\d .()-]*\d")


class QueryTooShort(InvalidInput):
    code = "query_too_short"
    title = "Recherche trop courte"


@dataclass
class ParsedQuery:
    names: list[str] = field(default_factory=list)
    birth_date: date | None = None
    phone: str | None = None  # E.164 when a whole number was typed
    phone_digits: str | None = None  # the digits typed, national form
    email: str | None = None
    email_local: str | None = None
    references: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def has_contact(self) -> bool:
        return bool(self.phone_digits or self.email or self.email_local or self.references)


def parse(raw: str, *, birth_date: date | None = None, phone_region: str = "FR") -> ParsedQuery:
    text = " ".join(raw.split())
    if len(text) > MAX_QUERY:
        raise InvalidInput(
            f"Recherche trop longue ({count(len(text))} caractères, {count(MAX_QUERY)} au"
            " plus)", field="q"
        )
    query = ParsedQuery(birth_date=birth_date)
    text = _take_email(text, query)
    text = _take_date(text, query)
    text = _take_references(text, query)
    text = _take_phone(text, query, phone_region)
    name_tokens = [token for token in tokens(text) if not token.isdigit()]
    if len(name_tokens) > MAX_NAME_TOKENS:
        query.ignored = name_tokens[MAX_NAME_TOKENS:]
        name_tokens = name_tokens[:MAX_NAME_TOKENS]
    query.names = name_tokens
    _check_enough(query)
    return query


def _check_enough(query: ParsedQuery) -> None:
    letters = sum(len(token) for token in query.names)
    if query.has_contact or letters >= 2:
        return
    if query.names or query.birth_date:
        raise QueryTooShort(
            "Saisissez au moins deux lettres du nom ou du prénom (la date de naissance seule"
            " ne suffit pas)", field="q",
        )
    raise QueryTooShort(
        "Rien à chercher : saisissez un nom, un prénom, un numéro de téléphone (4 chiffres"
        " au moins), une adresse e-mail ou une référence de demande", field="q",
    )


def _take_email(text: str, query: ParsedQuery) -> str:
    match = _EMAIL.search(text)
    if not match:
        return text
    candidate = match.group().strip(".,;")
    try:
        query.email = normalize_email(candidate)
    except InvalidInput:
        local = candidate.partition("@")[0].casefold()
        if local:
            query.email_local = local
    return text[:match.start()] + " " + text[match.end():]


def _take_date(text: str, query: ParsedQuery) -> str:
    for pattern, order in ((_DATE_ISO, (0, 1, 2)), (_DATE_FR, (2, 1, 0))):
        match = pattern.search(text)
        if match:
            year, month, day = (int(match.group(i + 1)) for i in order)
            try:
                typed = date(year, month, day)
            except ValueError as exc:
                raise InvalidInput(
                    f"Date de naissance impossible : « {match.group()} »", field="q"
                ) from exc
            query.birth_date = query.birth_date or typed
            return text[:match.start()] + " " + text[match.end():]
    return text


def _take_references(text: str, query: ParsedQuery) -> str:
    """References carry a digit or the dash of their printed form; a 7-letter name whose
    letters happen to pass the check character stays a name too."""
    for match in list(_REFERENCE.finditer(text)):
        word = match.group()
        if refs.looks_like_reference(word):
            query.references.append(refs.normalize(word))
            if any(c.isdigit() for c in word) or "-" in word:
                text = text.replace(word, " ")
    return text


def _take_phone(text: str, query: ParsedQuery, region: str) -> str:
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) < MIN_PHONE_DIGITS:
            continue
        if len(digits) >= 9:
            try:
                query.phone = normalize_phone(match.group(), region=region)
                digits = national_digits(query.phone)
            except InvalidInput:
                query.phone = None
        query.phone_digits = digits[-10:]
        return text[:match.start()] + " " + text[match.end():]
    return text
