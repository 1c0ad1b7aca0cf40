"""Duplicate detection: blocking by indexed keys, then Fellegi–Sunter scoring.

Pairs are only ever compared inside blocks (SQL joins on indexed columns):

- born the same day and sharing the phonetic key of a name token: the block that finds
  typos and mishearings;
- sharing a family-and-given-name pair, for names rare enough (at most `RARE_PAIR`
  holders), whatever the dates (a missing or mistyped birth date);
- sharing a phone number or an e-mail address (scored like any pair: names must agree).

Listing pairs shows identity only, like search: it is not logged; a merge is.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import combinations, groupby
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from crm_core.exceptions import InvalidInput
from crm_core.recognition.fellegi_sunter import (
    POSSIBLE_WEIGHT,
    Record,
    Verdict,
    compare,
    name_keys_of,
    names_agree,
)
from crm_core.recognition.keys import PARTICLES, KeyKind, tokens
from crm_core.recognition.models import SearchKey
from crm_core.recognition.phonetic import phonetic_key
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.models import ContactPoint, Resident
from crm_core.residents.service import resolve_id
from crm_core.scripts import is_mixed_script

__all__ = ["POSSIBLE_WEIGHT", "DuplicatePair", "duplicates_of", "find_duplicates"]

RARE_PAIR = 20
MAX_RECENT = 2000
PRIOR_RESIDENTS = 10_000
TYPICAL_NAME_SHARE = 0.002
CHUNK = 2000
MAX_BLOCK_PAIRS = 200_000

Pair = tuple[uuid.UUID, uuid.UUID]


@dataclass
class DuplicatePair:
    first: Record
    second: Record
    verdict: Verdict

    def as_dict(self) -> dict[str, Any]:
        return {
            "resident_ids": (self.first.resident_id, self.second.resident_id),
            "weight": self.verdict.weight,
            "probability": round(self.verdict.probability, 4),
            "decision": self.verdict.decision,
            "comparisons": [
                {"field": c.field, "level": c.level, "weight": round(c.weight, 2),
                 "detail": c.detail} for c in self.verdict.comparisons
            ],
            "residents": [_identity(self.first), _identity(self.second)],
            "confusable": any(is_mixed_script(r.given_name, r.family_name, r.birth_name)
                              for r in (self.first, self.second)),
        }


def _identity(record: Record) -> dict[str, Any]:
    return {"resident_id": record.resident_id, "given_name": record.given_name,
            "family_name": record.family_name, "birth_name": record.birth_name,
            "birth_date": record.birth_date, "city": record.city,
            "mixed_script": is_mixed_script(record.given_name, record.family_name,
                                            record.birth_name)}


def _ordered(a: uuid.UUID, b: uuid.UUID) -> Pair:
    return (a, b) if str(a) < str(b) else (b, a)


def _blocks(db_session: Session, only: uuid.UUID | None = None) -> set[Pair]:
    """Candidate pairs; for one resident (`only`) or, each pair once, for everybody."""

    def other(mine: Any, theirs: Any) -> Any:
        return theirs != mine if only is not None else theirs > mine

    left, right = aliased(SearchKey), aliased(SearchKey)
    rare = (
        select(SearchKey.key).where(SearchKey.kind == KeyKind.PAIR)
        .group_by(SearchKey.key).having(func.count() <= RARE_PAIR)
    )
    same_names = (
        select(left.resident_id, right.resident_id)
        .join(right, (right.key == left.key) & other(left.resident_id, right.resident_id))
        .where(left.kind == KeyKind.PAIR)
    )
    if only is None:
        same_names = same_names.where(left.key.in_(rare))
    cp_left, cp_right = aliased(ContactPoint), aliased(ContactPoint)
    shared = (
        select(cp_left.resident_id, cp_right.resident_id)
        .join(cp_right, (cp_right.kind == cp_left.kind) & (cp_right.value == cp_left.value)
              & other(cp_left.resident_id, cp_right.resident_id))
        .where(cp_left.kind.in_([ContactKind.PHONE, ContactKind.EMAIL]))
    )
    pairs = _same_day(db_session, only)
    for query, column in ((same_names, left), (shared, cp_left)):
        if only is not None:
            query = query.where(column.resident_id == only)
        for a, b in db_session.execute(query.limit(MAX_BLOCK_PAIRS)):
            pairs.add(_ordered(a, b))
    return pairs


@lru_cache(maxsize=131_072)
def _codes(given: str, family: str, birth: str | None) -> frozenset[str]:
    """Blocking codes of one record: the phonetic key of each name token. Two records of
    one person agree on at least one of them unless both names are misspelt beyond
    sound (those still meet through their phone, e-mail or a rare name pair)."""
    return frozenset(phonetic_key(token) for name in (given, family, birth)
                     for token in tokens(name) if token not in PARTICLES)


def _same_day(db_session: Session, only: uuid.UUID | None) -> set[Pair]:
    """Born the same day: for one resident, everybody born that day; for everybody,
    residents streamed in birth-date order and paired within a day when they share a
    blocking code (a few dozen residents per day at a million)."""
    columns = (Resident.id, Resident.given_name, Resident.family_name, Resident.birth_name,
               Resident.birth_date)
    active = Resident.status == ResidentStatus.ACTIVE
    pairs: set[Pair] = set()
    if only is not None:
        born = select(Resident.birth_date).where(Resident.id == only).scalar_subquery()
        for (other_id,) in db_session.execute(
            select(Resident.id).where(active, Resident.birth_date == born, Resident.id != only)
            .limit(MAX_BLOCK_PAIRS)
        ):
            pairs.add(_ordered(only, other_id))
        return pairs
    rows = db_session.execute(
        select(*columns).where(active, Resident.birth_date.is_not(None))
        .order_by(Resident.birth_date, Resident.id)
        .execution_options(yield_per=CHUNK)
    )
    for _, day in groupby(rows, key=lambda row: row.birth_date):
        by_code: dict[str, list[Any]] = defaultdict(list)
        for row in day:
            for code in _codes(row.given_name, row.family_name, row.birth_name):
                by_code[code].append(row)
        for members in by_code.values():
            for a, b in combinations(members, 2):
                # The names rule of the model, checked here already: sharing "Marie" on
                # the same day is no reason to load and weigh two records.
                if names_agree(a, b):
                    pairs.add(_ordered(a.id, b.id))
    return pairs


def _records(db_session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Record]:
    records: dict[uuid.UUID, Record] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        for row in db_session.execute(
            select(Resident.id, Resident.given_name, Resident.family_name, Resident.birth_name,
                   Resident.birth_date, Resident.address_line, Resident.postal_code,
                   Resident.insee_code, Resident.city)
            .where(Resident.id.in_(chunk), Resident.status == ResidentStatus.ACTIVE)
        ):
            records[row.id] = Record(*row)
        for resident_id, kind, value in db_session.execute(
            select(ContactPoint.resident_id, ContactPoint.kind, ContactPoint.value)
            .where(ContactPoint.resident_id.in_(chunk),
                   ContactPoint.kind.in_([ContactKind.PHONE, ContactKind.EMAIL]))
        ):
            if resident_id in records:
                target = records[resident_id]
                (target.phones if kind == ContactKind.PHONE else target.emails).add(value)
    return records


def _frequencies(db_session: Session, records: Iterable[Record]) -> dict[str, float]:
    """Share of active residents carrying each folded name (term frequency), smoothed
    towards a typical name's share (`TYPICAL_NAME_SHARE`) as if `PRIOR_RESIDENTS` more
    residents had been seen: a small register says little about how common a name is."""
    names: set[str] = set()
    for record in records:
        names.update(name_keys_of(record.family_name, record.given_name))
    total = db_session.scalar(
        select(func.count()).select_from(Resident).where(Resident.status == ResidentStatus.ACTIVE)
    ) or 0
    wanted = sorted(names)
    counts = dict.fromkeys(wanted, 0)
    for start in range(0, len(wanted), CHUNK):
        for key, count in db_session.execute(
            select(SearchKey.key, func.count()).where(
                SearchKey.key.in_(wanted[start:start + CHUNK]), SearchKey.kind == KeyKind.TOKEN
            ).group_by(SearchKey.key)
        ):
            counts[key] = count
    prior = PRIOR_RESIDENTS * TYPICAL_NAME_SHARE
    return {name: (count + prior) / (total + PRIOR_RESIDENTS) for name, count in counts.items()}


def _score(db_session: Session, pairs: set[Pair], min_weight: float) -> list[DuplicatePair]:
    records = _records(db_session, (i for pair in pairs for i in pair))
    frequency = _frequencies(db_session, records.values())
    found = []
    for a, b in sorted(pairs, key=lambda p: (str(p[0]), str(p[1]))):
        if a in records and b in records:
            verdict = compare(records[a], records[b], frequency)
            if verdict.decision and verdict.weight >= min_weight:
                found.append(DuplicatePair(records[a], records[b], verdict))
    found.sort(key=lambda p: (-p.verdict.weight, str(p.first.resident_id)))
    return found


class TooManyToReview(InvalidInput):
    code = "too_many_to_review"
    title = "Trop de dossiers à examiner"


def find_duplicates(
    *, db_session: Session, min_weight: float = POSSIBLE_WEIGHT, limit: int = 100,
    insee_code: str | None = None, since: datetime | None = None,
) -> list[DuplicatePair]:
    """Probable and possible duplicates, strongest first: over all active residents, or
    (`since`) around the records created or changed since then — the routine review,
    cheap enough for a request; the whole register is the command line's job."""
    if since is None:
        pairs = _blocks(db_session)
    else:
        recent = list(db_session.scalars(
            select(Resident.id).where(Resident.status == ResidentStatus.ACTIVE,
                                      Resident.updated_at >= since)
            .order_by(Resident.id).limit(MAX_RECENT + 1)
        ))
        if len(recent) > MAX_RECENT:
            raise TooManyToReview(
                f"Plus de {MAX_RECENT} dossiers créés ou modifiés sur la période : réduisez-la,"
                " ou lancez l'examen complet (relais residents duplicates)", field="since",
            )
        pairs = {pair for resident_id in recent for pair in _blocks(db_session, resident_id)}
    found = _score(db_session, pairs, min_weight)
    if insee_code:
        found = [p for p in found if insee_code in (p.first.insee_code, p.second.insee_code)]
    return found[:limit]


def duplicates_of(
    *, db_session: Session, resident_id: uuid.UUID, min_weight: float = POSSIBLE_WEIGHT
) -> list[DuplicatePair]:
    """Records that may be the same person as this one (every block, any name rarity)."""
    surviving_id, _ = resolve_id(db_session=db_session, resident_id=resident_id)
    return _score(db_session, _blocks(db_session, only=surviving_id), min_weight)


def explain(*, db_session: Session, first_id: uuid.UUID, second_id: uuid.UUID) -> Verdict:
    """The comparison of two given records, whatever its outcome (kept with a merge)."""
    records = _records(db_session, [first_id, second_id])
    frequency = _frequencies(db_session, records.values())
    return compare(records[first_id], records[second_id], frequency)
