"""Blocking keys: pure functions from names, phones and e-mails to the strings we index.

Names are folded (`crm_core.text.fold`) and cut into tokens of letters and digits.
A name field gives *units*: its tokens, except particles (le, de, n, d'...) standing
alone, plus the joins of adjacent tokens, so that "Le Goff" is found as "le goff",
"legoff" or "goff", "N'Diaye" as "ndiaye" or "diaye" and "Jean-Baptiste" as
"jean baptiste", "jeanbaptiste", "jean" or "baptiste".

Per resident (`search_key`, B-tree indexed with the birth date):

- kind TOKEN: each unit of the given, family and birth names ("durand");
- kind PAIR: each family-or-birth unit with each given unit, sorted and joined by a space
  ("camille durand"), so that "name and first name" is one exact probe, in any order;
- kind PHONE: "#" + the last 4 and the last 6 digits of each phone number;
- kind EMAIL: "@" + the local part of each e-mail address.

Per distinct token (`search_token_key`, the vocabulary): the token itself and its
one-letter deletions (for tokens of 3 letters or more: with the query's own deletions
this finds every spelling one substitution, insertion, deletion or swap of neighbours
away — the "symmetric delete" method), "~" + its French phonetic key, "^" + its
prefixes of 3 letters or more (partial input). Markers (space, #, @, ~, ^) never occur
inside a token, so the key spaces cannot collide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from enum import IntEnum
from functools import lru_cache

from crm_core.recognition.models import KEY_LENGTH
from crm_core.recognition.phonetic import phonetic_key
from crm_core.text import fold

MAX_UNIT = 48  # a pair of units still fits in KEY_LENGTH
MIN_FUZZY = 3  # shorter tokens get no deletion keys (too many neighbours)
MIN_PREFIX = 3
MAX_JOINED = 3  # joins of up to three adjacent tokens ("de la fontaine")

PARTICLES = frozenset(
    {"d", "l", "n", "de", "du", "des", "la", "le", "les", "da", "das", "do", "dos", "di",
     "del", "della", "van", "von", "der", "den", "ter", "el", "al", "y"}
)
_TOKEN = re.compile(r"[^\W_]+")


class KeyKind(IntEnum):
    TOKEN = 1
    PAIR = 2
    PHONE = 3
    EMAIL = 4


def tokens(text: str | None) -> list[str]:
    """'N'Diaye-Lefèvre' -> ['n', 'diaye', 'lefevre']: letters and digits only."""
    if not text:
        return []
    return [token[:MAX_UNIT] for token in _TOKEN.findall(fold(text))]


def units(parts: list[str]) -> list[str]:
    """Tokens of one name field, particles alone left out, plus joins of neighbours."""
    found: list[str] = []
    significant = [t for t in parts if t not in PARTICLES] or parts
    for token in significant:
        if token not in found:
            found.append(token)
    for size in range(2, MAX_JOINED + 1):
        for start in range(len(parts) - size + 1):
            joined = "".join(parts[start:start + size])[:MAX_UNIT]
            if joined not in found:
                found.append(joined)
    return found


def pair_key(a: str, b: str) -> str:
    first, second = sorted((a, b))
    return f"{first} {second}"


@lru_cache(maxsize=200_000)
def name_keys(
    given: str | None, family: str | None, birth: str | None = None
) -> tuple[tuple[str, KeyKind], ...]:
    """TOKEN and PAIR keys of one set of names (a resident, or one merged into it).
    Cached: names repeat a lot (a bulk rebuild computes each distinct triple once)."""
    return tuple(_name_keys(given, family, birth))


def _name_keys(
    given: str | None, family: str | None, birth: str | None
) -> Iterator[tuple[str, KeyKind]]:
    given_units = units(tokens(given))
    surname_units = units(tokens(family))
    for unit in units(tokens(birth)):
        if unit not in surname_units:
            surname_units.append(unit)
    for unit in dict.fromkeys(given_units + surname_units):
        yield unit, KeyKind.TOKEN
    for surname in surname_units:
        for first in given_units:
            yield pair_key(surname, first), KeyKind.PAIR


def national_digits(e164: str) -> str:
    """'+33612345678' -> '0612345678'; other countries keep their full digits."""
    digits = e164.lstrip("+")
    return "0" + digits[2:] if digits.startswith("33") else digits


def phone_keys(e164: str) -> list[str]:
    digits = national_digits(e164)
    return [f"#{digits[-4:]}", f"#{digits[-6:]}"] if len(digits) >= 6 else []


def email_key(address: str) -> str | None:
    local = address.partition("@")[0]
    return f"@{local}"[:KEY_LENGTH] if local else None


def deletions(token: str) -> set[str]:
    if len(token) < MIN_FUZZY:
        return set()
    return {token[:i] + token[i + 1:] for i in range(len(token))}


def vocabulary_keys(token: str) -> set[str]:
    """Every key under which a token of the vocabulary can be found."""
    keys = {token} | deletions(token)
    code = phonetic_key(token)
    if code:
        keys.add(f"~{code}")
    if len(token) > MIN_PREFIX:
        keys.update(f"^{token[:size]}" for size in range(MIN_PREFIX, len(token)))
    return keys


def query_keys(token: str) -> dict[str, str]:
    """Keys to probe the vocabulary with for one query token -> how a hit matches."""
    probes = {key: "typo" for key in deletions(token)}
    code = phonetic_key(token)
    if code:
        probes[f"~{code}"] = "phonetic"
    if len(token) >= MIN_PREFIX:
        probes[f"^{token}"] = "prefix"
    probes[token] = "exact"
    return probes


def distinct_tokens(rows: Iterable[tuple[str, KeyKind]]) -> set[str]:
    return {key for key, kind in rows if kind is KeyKind.TOKEN}
