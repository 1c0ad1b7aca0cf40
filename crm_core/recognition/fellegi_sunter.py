"""Fellegi–Sunter comparison of two resident records: every decision has its reasons.

Each field comparison falls into a level; each level has m (how often true duplicates
agree that way) and u (how often two different people do, by chance); the level adds
log2(m/u) to the match weight, and the prior log2(λ/(1-λ)) starts it. The sum is the log2
of the odds that the pair is one person. For exact name agreement u is the name's own
frequency among residents (sharing "Kerbrat" says more than sharing "Martin"), as in
Splink's term-frequency adjustment. m and u are documented estimates for a French
population register, not trained; they are the knobs, all in this file.

Two rules sit on top of the weights, because families break the independence the model
assumes (they share a name, an address, a landline, a mailbox):

- names must agree (family name and given name each at least close, possibly swapped),
  so a shared phone, e-mail or address can never make a pair on its own;
- a contradicting birth date (both known, unrelated) caps the pair at "possible":
  a father and son both called Jean Martin share everything but that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Protocol

from rapidfuzz.distance import OSA

from crm_core.recognition.keys import PARTICLES, tokens
from crm_core.recognition.phonetic import phonetic_key

PRIOR_WEIGHT = math.log2(1 / 100_000)
PROBABLE_WEIGHT = 4.0  # odds 16:1
POSSIBLE_WEIGHT = 0.0  # odds 1:1
MIN_NAME_FREQUENCY = 1e-6

# field -> level -> (m, u); u None = the value's frequency among residents.
LEVELS: dict[str, dict[str, tuple[float, float | None]]] = {
    "family_name": {"exact": (0.88, None), "phonetic": (0.05, 0.002), "close": (0.04, 0.01),
                    "initial": (0.005, 0.05), "different": (0.025, 0.937)},
    "given_name": {"exact": (0.90, None), "phonetic": (0.04, 0.003), "close": (0.03, 0.01),
                   "initial": (0.01, 0.05), "different": (0.02, 0.93)},
    "birth_date": {"exact": (0.92, 1 / (365.25 * 80)), "close": (0.05, 0.003),
                   "different": (0.03, 0.997)},
    "address": {"same_address": (0.5, 0.01), "same_commune": (0.3, 0.15),
                "different": (0.2, 0.84)},
    "phone": {"shared": (0.35, 0.01), "none_shared": (0.65, 0.99)},
    "email": {"shared": (0.3, 0.005), "none_shared": (0.7, 0.995)},
}
NAME_AGREES = {"exact", "phonetic", "close", "initial"}


@dataclass
class Record:
    resident_id: object
    given_name: str
    family_name: str
    birth_name: str | None
    birth_date: date | None
    address_line: str | None
    postal_code: str | None
    insee_code: str | None
    city: str | None
    phones: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)


@lru_cache(maxsize=131_072)
def name_keys_of(family: str, given: str) -> tuple[str, str]:
    """The folded forms whose frequency weighs an exact agreement."""
    return ("".join(t for t in tokens(family) if t not in PARTICLES), "".join(tokens(given)))


@dataclass(frozen=True)
class Comparison:
    field: str
    level: str
    weight: float
    detail: str | None = None


@lru_cache(maxsize=262_144)
def _name_level(a: str | None, b: str | None) -> str:
    left = [t for t in tokens(a) if t not in PARTICLES] or tokens(a)
    right = [t for t in tokens(b) if t not in PARTICLES] or tokens(b)
    if not left or not right:
        return "different"
    joined_a, joined_b = "".join(left), "".join(right)
    if joined_a == joined_b:
        return "exact"
    if phonetic_key(joined_a) == phonetic_key(joined_b):
        return "phonetic"
    if (OSA.normalized_similarity(joined_a, joined_b) >= 0.8 or set(left) <= set(right)
            or set(right) <= set(left)):
        return "close"
    if min(len(joined_a), len(joined_b)) == 1 and joined_a[0] == joined_b[0]:
        return "initial"
    return "different"


_RANK = {"exact": 0, "phonetic": 1, "close": 2, "initial": 3, "different": 4}


class Named(Protocol):
    given_name: str
    family_name: str
    birth_name: str | None


def names_agree(a: Named, b: Named) -> bool:
    family, given, _ = name_levels(a, b)
    return family in NAME_AGREES and given in NAME_AGREES


def name_levels(a: Named, b: Named) -> tuple[str, str, str | None]:
    """(family level, given level, detail) — best of direct, birth-name and swapped."""
    surnames_a = [a.family_name, *([a.birth_name] if a.birth_name else [])]
    surnames_b = [b.family_name, *([b.birth_name] if b.birth_name else [])]
    family, detail = min(
        ((_name_level(x, y), None if (x, y) == (a.family_name, b.family_name) else
          "nom de naissance") for x in surnames_a for y in surnames_b),
        key=lambda item: _RANK[item[0]],
    )
    given = _name_level(a.given_name, b.given_name)
    swapped = (_name_level(a.given_name, b.family_name), _name_level(a.family_name,
                                                                      b.given_name))
    if _RANK[max(swapped, key=_RANK.__getitem__)] < _RANK[max((family, given),
                                                              key=_RANK.__getitem__)]:
        family, given = swapped[1], swapped[0]
        detail = "prénom et nom inversés"
    return family, given, detail


def date_level(a: date | None, b: date | None) -> str | None:
    if a is None or b is None:
        return None
    if a == b:
        return "exact"
    same = (a.year == b.year, a.month == b.month, a.day == b.day)
    swapped = a.year == b.year and (a.day, a.month) == (b.month, b.day)
    return "close" if swapped or sum(same) == 2 else "different"


def _address_level(a: Record, b: Record) -> str | None:
    if not (a.address_line and b.address_line) and not (a.insee_code and b.insee_code):
        return None
    if (a.address_line and b.address_line and a.postal_code == b.postal_code
            and _address_key(a.address_line) == _address_key(b.address_line)):
        return "same_address"
    if a.insee_code and a.insee_code == b.insee_code:
        return "same_commune"
    return "different"


def _address_key(line: str) -> str:
    return "".join(tokens(line))


def _weight(field_name: str, level: str, frequency: float | None = None) -> float:
    m, u = LEVELS[field_name][level]
    if u is None:
        u = max(frequency or MIN_NAME_FREQUENCY, MIN_NAME_FREQUENCY)
    return math.log2(m / u)


@dataclass
class Verdict:
    weight: float
    comparisons: list[Comparison]
    decision: str | None  # "probable", "possible" or None (not a duplicate)
    names_agree: bool = False

    @property
    def probability(self) -> float:
        return 1 / (1 + 2 ** -self.weight)


def compare(a: Record, b: Record, frequency: dict[str, float]) -> Verdict:
    """`frequency`: share of residents carrying each folded (joined) name."""
    family, given, detail = name_levels(a, b)
    family_key, given_key = name_keys_of(a.family_name, a.given_name)
    comparisons = [
        Comparison("family_name", family, _weight("family_name", family,
                                                  frequency.get(family_key)), detail),
        Comparison("given_name", given, _weight("given_name", given, frequency.get(given_key)),
                   detail if detail == "prénom et nom inversés" else None),
    ]
    born = date_level(a.birth_date, b.birth_date)
    if born:
        comparisons.append(Comparison("birth_date", born, _weight("birth_date", born)))
    address = _address_level(a, b)
    if address:
        comparisons.append(Comparison("address", address, _weight("address", address)))
    for name, mine, theirs in (("phone", a.phones, b.phones), ("email", a.emails, b.emails)):
        if mine and theirs:
            level = "shared" if mine & theirs else "none_shared"
            comparisons.append(Comparison(name, level, _weight(name, level)))
    weight = PRIOR_WEIGHT + sum(c.weight for c in comparisons)
    names_agree = family in NAME_AGREES and given in NAME_AGREES
    decision = None
    if names_agree and weight >= POSSIBLE_WEIGHT:
        decision = "probable" if weight >= PROBABLE_WEIGHT and born != "different" else "possible"
    return Verdict(round(weight, 3), comparisons, decision, names_agree)
