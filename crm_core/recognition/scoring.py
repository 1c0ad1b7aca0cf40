"""Re-ranking a short list of candidates in Python, with the reasons of every score.

Names are compared token by token (rapidfuzz's Damerau-Levenshtein similarity, the French
phonetic key, prefixes for partial input) and as joined strings (so "legoff" = "Le Goff").
The typed tokens are split between family name and given name in every possible way and
order, and the best split wins: order does not matter, nor does a resident registered
with the two swapped. The birth date and any phone, e-mail or reference that matched add
their own part. Every part leaves a reason: which field, how it matched, what was typed,
what the record holds, with its similarity.

Scores are plain arithmetic on the candidate's data and the query, rounded to 4 places:
the same candidates give the same order on any engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA

from crm_core.recognition.keys import PARTICLES, tokens
from crm_core.recognition.phonetic import phonetic_key

FAMILY_WEIGHT, GIVEN_WEIGHT = 0.5, 0.5  # either may have been typed first, or mistyped
PARTICLE_PENALTY = 0.97  # "roux" is "Roux" before it is "Le Roux"
ONE_FIELD_FACTOR = 0.6  # only a family name, or only a given name, was typed
NAME_WEIGHT, DATE_WEIGHT, CONTACT_WEIGHT = 0.6, 0.4, 0.6
COMMUNE_BONUS = 0.03
MIN_NAME_SCORE = 0.5  # below this the names are unrelated: not shown on a date alone


@dataclass(frozen=True, slots=True)
class Reason:
    field: str
    match: str
    score: float
    typed: str | None = None
    value: str | None = None
    source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "match": self.match,
                                "score": round(self.score, 3)}
        for name in ("typed", "value", "source"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data


@dataclass(slots=True)
class NameSet:
    """One identity a candidate is known by: its own, or that of a record merged into it."""

    given: str
    family: str
    birth: str | None = None
    source: str | None = None


@dataclass(slots=True)
class Candidate:
    resident_id: Any
    given_name: str
    family_name: str
    birth_name: str | None
    birth_date: date | None
    city: str | None = None
    postal_code: str | None = None
    insee_code: str | None = None
    aliases: list[NameSet] = field(default_factory=list)
    evidence: list[Reason] = field(default_factory=list)  # phone, e-mail, reference
    score: float = 0.0
    name_score: float = 0.0
    reasons: list[Reason] = field(default_factory=list)

    def name_sets(self) -> list[NameSet]:
        return [NameSet(self.given_name, self.family_name, self.birth_name), *self.aliases]


@lru_cache(maxsize=131_072)
def token_similarity(typed: str, held: str) -> tuple[float, str]:
    """Similarity of one typed token to one held token, and how they match. Pure, so
    cached across requests: names repeat a lot (Martin, Marie)."""
    if typed == held:
        return 1.0, "exact"
    result = (OSA.normalized_similarity(typed, held), "typo")
    if len(typed) > 1 and phonetic_key(typed) == phonetic_key(held):
        # Sounds alike; the closer the spelling, the better (Brunet before Brun).
        result = max(result, (0.8 + 0.15 * result[0], "phonetic"))
    if len(typed) >= 3 and held.startswith(typed):
        result = max(result, (0.7 + 0.2 * len(typed) / len(held), "prefix"))
    elif len(typed) == 1 and held.startswith(typed):
        result = max(result, (0.5, "initial"))
    return result


@lru_cache(maxsize=131_072)
def field_similarity(part: tuple[str, ...], held: tuple[str, ...]) -> tuple[float, str]:
    """How well typed tokens match one name field (its tokens, particles included): as
    joined strings ("legoff" = "le goff"), or token by token ("dupont" in
    "Dupont-Moreau", a partial match)."""
    if not held or not part:
        return 0.0, "none"
    best = token_similarity("".join(part), "".join(held))
    significant = [t for t in held if t not in PARTICLES] or list(held)
    typed = [t for t in part if t not in PARTICLES] or list(part)
    sims, hows, used = [], [], set()
    for word in typed:
        sim, how, index = max(
            (*token_similarity(word, t), i) for i, t in enumerate(significant)
        )
        sims.append(sim)
        hows.append(how)
        used.add(index)
    coverage = len(used) / len(significant)
    tokenwise = sum(sims) / len(sims) * (0.85 + 0.15 * coverage)
    if len(significant) < len(held) and len(typed) == len(part):
        tokenwise *= PARTICLE_PENALTY
    if tokenwise > best[0]:
        worst = min(range(len(sims)), key=lambda i: sims[i])
        best = (tokenwise, hows[worst] if coverage == 1 else "partial")
    return best


@lru_cache(maxsize=4096)
def _splits(names: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(family part, given part) for every cut and both orders; empty part = not typed."""
    options = [(names, ()), ((), names)]
    for cut in range(1, len(names)):
        first, second = names[:cut], names[cut:]
        options += [(first, second), (second, first)]
    return tuple(options)


@lru_cache(maxsize=131_072)
def _held(name: str | None) -> tuple[str, ...]:
    return tuple(tokens(name))


def score_names(names: tuple[str, ...], candidate: Candidate) -> tuple[float, list[Reason]]:
    best_total, best = 0.0, list[Reason]()
    for identity in candidate.name_sets():
        given = _held(identity.given)
        surnames = [("family_name", identity.family, _held(identity.family))]
        if identity.birth:
            surnames.append(("birth_name", identity.birth, _held(identity.birth)))
        for family_part, given_part in _splits(names):
            family = given_match = None
            if family_part:
                family = max(
                    ((field_similarity(family_part, held), label, display)
                     for label, display, held in surnames),
                    key=lambda found: found[0][0],
                )
            if given_part:
                given_match = field_similarity(given_part, given)
            if family and given_match:
                total = FAMILY_WEIGHT * family[0][0] + GIVEN_WEIGHT * given_match[0]
            else:
                total = ONE_FIELD_FACTOR * (family[0][0] if family else given_match[0]
                                            if given_match else 0.0)
            if total > best_total:
                best_total, best = total, []
                if family:
                    (sim, how), label, display = family
                    best.append(Reason(label, how, sim, " ".join(family_part), display,
                                       identity.source))
                if given_match:
                    best.append(Reason("given_name", given_match[1], given_match[0],
                                       " ".join(given_part), identity.given, identity.source))
    return best_total, best


def score_date(typed: date, held: date | None) -> Reason:
    if held is None:
        return Reason("birth_date", "unknown", 0.3)
    if typed == held:
        return Reason("birth_date", "exact", 1.0, typed.isoformat(), held.isoformat())
    if (typed.day, typed.month) == (held.month, held.day) and typed.year == held.year:
        return Reason("birth_date", "day_month_swapped", 0.6, typed.isoformat(),
                      held.isoformat())
    same = [typed.year == held.year, typed.month == held.month, typed.day == held.day]
    if sum(same) == 2:
        return Reason("birth_date", "one_part_differs", 0.5, typed.isoformat(),
                      held.isoformat())
    return Reason("birth_date", "different", 0.0, typed.isoformat(), held.isoformat())


def score(
    candidate: Candidate, *, names: tuple[str, ...], birth_date: date | None,
    wants_contact: bool, commune: str | None,
) -> bool:
    """Set the candidate's score and reasons; False when it should not be shown."""
    parts: list[tuple[float, float]] = []
    reasons: list[Reason] = []
    name_score = 0.0
    if names:
        name_score, name_reasons = score_names(names, candidate)
        parts.append((NAME_WEIGHT if birth_date else 1.0, name_score))
        reasons += name_reasons
    if birth_date:
        date_reason = score_date(birth_date, candidate.birth_date)
        parts.append((DATE_WEIGHT, date_reason.score))
        reasons.append(date_reason)
    contact = max((reason.score for reason in candidate.evidence), default=0.0)
    if wants_contact:
        parts.append((CONTACT_WEIGHT, contact))
        reasons += candidate.evidence
    total = sum(w * s for w, s in parts) / sum(w for w, _ in parts)
    if commune and _same_commune(commune, candidate):
        total = min(1.0, total + COMMUNE_BONUS)
        reasons.append(Reason("commune", "same", 1.0, commune, candidate.city))
    candidate.score = round(total, 4)
    candidate.name_score = name_score
    candidate.reasons = reasons
    return contact > 0 or not names or name_score >= MIN_NAME_SCORE


def _same_commune(commune: str, candidate: Candidate) -> bool:
    wanted = "".join(tokens(commune))
    held = {candidate.insee_code, candidate.postal_code, "".join(tokens(candidate.city))}
    return wanted in held
