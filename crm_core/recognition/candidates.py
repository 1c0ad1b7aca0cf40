"""Candidate generation: a short list of residents worth comparing, from B-tree probes only.

The same statements run on both engines (plain equality and IN on indexed columns, a
deterministic ORDER BY resident id under every LIMIT), so both engines propose exactly the
same residents for the same data. Nothing here scans a table or evaluates a similarity.

1. Each typed unit (token, or join of neighbouring tokens) is looked up in the vocabulary
   (`search_token_key`) under its exact form, its one-letter deletions, its phonetic key
   and as a prefix: a few dozen real name tokens, each with a cost (0 exact, 1 typo or
   phonetic, 2 prefix).
2. With a birth date: every active resident born that day is a candidate (a few dozen at
   a million residents); for a crowded date (1 January of approximate dates), only those
   carrying one of the expanded tokens.
3. Without: the pairs of expanded tokens of two units are probed as PAIR keys, cheapest
   tier first (a typed word left out costs too), at most `PER_KEY` residents per key,
   until enough candidates are found; one unit alone probes TOKEN keys.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.recognition.keys import MAX_JOINED, PARTICLES, pair_key, query_keys
from crm_core.recognition.models import SearchKey, SearchTokenKey

COST = {"exact": 0, "typo": 1, "phonetic": 1, "prefix": 2}
MAX_EXPANSIONS = 30  # vocabulary tokens kept per typed unit
MAX_PAIR_KEYS = 900
NAME_CAP = 200  # residents re-ranked without a birth date
PER_KEY = 25  # residents taken per key (namesakes beyond add nothing to the comparison)
UNCOVERED = 2  # tier cost of a typed word a pair of keys leaves out
DATE_BLOCK = 250  # residents born the same day compared one by one

Expansions = dict[str, dict[str, int]]  # typed unit -> {vocabulary token: cost}


@dataclass(frozen=True, slots=True)
class Unit:
    text: str
    start: int
    end: int

    def overlaps(self, other: Unit) -> bool:
        return self.start < other.end and other.start < self.end


def query_units(names: list[str]) -> list[Unit]:
    """Typed tokens and joins of 2-3 neighbours. A lone particle is a unit too ("Lê"
    folds to "le"): residents carry it as a key only when it is their whole name."""
    found = [Unit(token, i, i + 1) for i, token in enumerate(names)]
    for size in range(2, MAX_JOINED + 1):
        for start in range(len(names) - size + 1):
            found.append(Unit("".join(names[start:start + size]), start, start + size))
    return found  # "michel michel": the same word twice is two units (a pair)


def expand(db_session: Session, units: list[Unit]) -> Expansions:
    probes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for unit in units:
        for key, how in query_keys(unit.text).items():
            probes[key].append((unit.text, how))
    result: Expansions = {unit.text: {} for unit in units}  # one entry per distinct text
    rows = db_session.execute(
        select(SearchTokenKey.key, SearchTokenKey.token).where(
            SearchTokenKey.key.in_(sorted(probes))
        )
    )
    for key, token in rows:
        for text, how in probes[key]:
            cost = 0 if token == text else max(COST[how], 1)
            if cost < result[text].get(token, 99):
                result[text][token] = cost
    for text, matches in result.items():
        if len(matches) > MAX_EXPANSIONS:
            kept = sorted(matches, key=lambda t: (matches[t], abs(len(t) - len(text)), t))
            result[text] = {t: matches[t] for t in kept[:MAX_EXPANSIONS]}
    return result


def pair_tiers(
    units: list[Unit], expansions: Expansions, names: list[str]
) -> dict[int, set[str]]:
    """PAIR keys by cost: the two units' costs, plus `UNCOVERED` per significant typed
    token the pair leaves out (so "Bernard Lefèvre" does not crowd out "Sébastien
    Bernard-Lefèvre" when all three words were typed)."""
    significant = {i for i, token in enumerate(names) if token not in PARTICLES}
    tiers: dict[int, set[str]] = defaultdict(set)
    for first, second in combinations(units, 2):
        if first.overlaps(second):
            continue
        covered = set(range(first.start, first.end)) | set(range(second.start, second.end))
        left_out = UNCOVERED * len(significant - covered)
        for a, cost_a in expansions[first.text].items():
            for b, cost_b in expansions[second.text].items():
                tiers[cost_a + cost_b + left_out].add(pair_key(a, b))
    kept: dict[int, set[str]] = {}
    budget = MAX_PAIR_KEYS
    for tier in sorted(tiers):
        keys = sorted(tiers[tier])[:budget]
        kept[tier] = set(keys)
        budget -= len(keys)
        if budget <= 0:
            break
    return kept


def token_tiers(units: Iterable[Unit], expansions: Expansions) -> dict[int, set[str]]:
    tiers: dict[int, set[str]] = defaultdict(set)
    for unit in units:
        for token, cost in expansions[unit.text].items():
            tiers[cost].add(token)
    return tiers


def probe_tiers(
    db_session: Session, tiers: dict[int, set[str]], *, cap: int,
    birth_date: date | None = None,
) -> dict[uuid.UUID, int]:
    """Residents carrying one of the keys, cheapest tier first, at most `cap`, and at most
    `PER_KEY` per key: the 200th Jean Martin adds nothing to the comparison, while the one
    Jean Martine it would crowd out might be the person."""
    found: dict[uuid.UUID, int] = {}
    for tier in sorted(tiers):
        if len(found) >= cap or not tiers[tier]:
            continue
        numbered = select(
            SearchKey.resident_id,
            func.row_number().over(partition_by=SearchKey.key,
                                   order_by=SearchKey.resident_id).label("n"),
        ).where(SearchKey.key.in_(sorted(tiers[tier])))
        if birth_date is not None:
            numbered = numbered.where(SearchKey.birth_date == birth_date)
        if found:
            numbered = numbered.where(SearchKey.resident_id.not_in(sorted(found)))
        ranked = numbered.subquery()
        query = (
            select(ranked.c.resident_id).where(ranked.c.n <= PER_KEY).distinct()
            .order_by(ranked.c.resident_id).limit(cap - len(found))
        )
        for resident_id in db_session.scalars(query):
            found[resident_id] = tier
    return found


def by_names(db_session: Session, names: list[str]) -> dict[uuid.UUID, int]:
    """Without a birth date: pairs of names, or one name alone."""
    units = query_units(names)
    expansions = expand(db_session, units)
    found: dict[uuid.UUID, int] = {}
    if len(units) > 1:
        found = probe_tiers(db_session, pair_tiers(units, expansions, names), cap=NAME_CAP)
    if not found:
        found = probe_tiers(db_session, token_tiers(units, expansions), cap=NAME_CAP)
    return found


def by_names_on_date(
    db_session: Session, names: list[str], birth_date: date
) -> dict[uuid.UUID, int]:
    """A crowded birth date: only those born that day who carry one of the names."""
    units = query_units(names)
    expansions = expand(db_session, units)
    return probe_tiers(
        db_session, token_tiers(units, expansions), cap=NAME_CAP, birth_date=birth_date
    )


def by_key(db_session: Session, key: str, *, cap: int) -> list[uuid.UUID]:
    return list(db_session.scalars(
        select(SearchKey.resident_id).where(SearchKey.key == key)
        .order_by(SearchKey.resident_id).limit(cap)
    ))
