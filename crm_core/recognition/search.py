"""Fuzzy search: one box, ranked candidates, each with its score and reasons.

`search()` parses the box (`query.py`), gathers candidates by exact B-tree probes
(`candidates.py`, plus contact points and case references), loads their identity, and
re-ranks them in Python (`scoring.py`). With a birth date every resident born that day is
compared; if none of them resembles the typed names, the date may be wrong and the
name-only candidates are compared too (their reasons say the date differs).

Access log: a result list shows identity only (names, birth date, commune, how it
matched), never contact details, cases or history, and it is not a consultation of a
file: nothing is logged per candidate shown — a resident named Martin would otherwise
find hundreds of strangers' searches in their log, which tells them nothing. Opening one
candidate (`/residents/{id}/summary`) is what is logged, as for every other read.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from crm_core.cases.models import Case
from crm_core.cases.reference import format_reference
from crm_core.recognition import candidates as gen
from crm_core.recognition.keys import PARTICLES, email_key, national_digits
from crm_core.recognition.models import ResidentMerge
from crm_core.recognition.query import ParsedQuery, parse
from crm_core.recognition.scoring import ONE_FIELD_FACTOR, Candidate, NameSet, Reason, score
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.models import ContactPoint, Resident
from crm_core.text import fold

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
CONTACT_CAP = 50
WRONG_DATE_BELOW = 0.8  # best name score on the date under which the date is doubted
NAMESAKES_FIRST = 3  # namesakes listed before other names that score a little less
NAMESAKE_SLACK = 0.1

_COLUMNS = (
    Resident.id, Resident.given_name, Resident.family_name, Resident.birth_name,
    Resident.birth_date, Resident.city, Resident.postal_code, Resident.insee_code,
)


@dataclass
class SearchOutcome:
    query: ParsedQuery
    results: list[Candidate] = field(default_factory=list)
    more: bool = False  # more candidates matched than were returned

    def as_dict(self) -> dict[str, Any]:
        return {
            "results": [_result(c) for c in self.results],
            "more": self.more,
            "understood": {
                "names": self.query.names,
                "birth_date": self.query.birth_date,
                "phone_digits": self.query.phone_digits,
                "email": self.query.email or self.query.email_local,
                "references": [format_reference(r) for r in self.query.references],
                "ignored": self.query.ignored,
            },
        }


def _result(candidate: Candidate) -> dict[str, Any]:
    return {
        "resident_id": candidate.resident_id, "given_name": candidate.given_name,
        "family_name": candidate.family_name, "birth_name": candidate.birth_name,
        "birth_date": candidate.birth_date, "city": candidate.city, "score": candidate.score,
        "reasons": [reason.as_dict() for reason in candidate.reasons],
    }


def search(
    *, db_session: Session, q: str, birth_date: date | None = None,
    commune: str | None = None, limit: int = DEFAULT_LIMIT, phone_region: str,
) -> SearchOutcome:
    query = parse(q, birth_date=birth_date, phone_region=phone_region)
    evidence = _contact_evidence(db_session, query)
    pool = _load(db_session, set(evidence))
    if query.names and query.birth_date:
        block = _date_block(db_session, query.birth_date)
        if block is None:
            ids = gen.by_names_on_date(db_session, query.names, query.birth_date)
            pool.update(_load(db_session, set(ids) - pool.keys()))
        else:
            pool.update({c.resident_id: c for c in block if c.resident_id not in pool})
    elif query.names:
        pool.update(_load(db_session, set(gen.by_names(db_session, query.names)) - pool.keys()))
    shown = _rank(query, pool, evidence, commune, db_session)
    if query.names and query.birth_date and _date_doubtful(query, shown):
        extra = _load(db_session, set(gen.by_names(db_session, query.names)) - pool.keys())
        shown += _rank(query, extra, evidence, commune, db_session)
    shown = _ordered(shown)
    return SearchOutcome(query, shown[:limit], more=len(shown) > limit)


def _ordered(shown: list[Candidate]) -> list[Candidate]:
    """Best score first; a name's fourth namesake and beyond come after other names whose
    score is within `NAMESAKE_SLACK`.

    Namesakes (same folded names) cannot be told apart by the typed words: when "Dani
    Bailly" matches 40 Daniel Bailly a little better than 30 Danielle Bailly, ten lines
    of Daniel hide the other person the agent may be looking for; three of them, with
    their birth dates, say enough. Ties end in names, birth date and id: a total order.
    """
    plain = {id(c): (_folded(c.family_name), _folded(c.given_name),
                     c.birth_date or date.max, str(c.resident_id)) for c in shown}
    shown.sort(key=lambda c: (-c.score, plain[id(c)]))
    seen: Counter[tuple[str, str]] = Counter()
    rank: dict[int, float] = {}
    for candidate in shown:
        identity = plain[id(candidate)][:2]
        demoted = seen[identity] >= NAMESAKES_FIRST
        rank[id(candidate)] = candidate.score - (NAMESAKE_SLACK if demoted else 0.0)
        seen[identity] += 1
    return sorted(shown, key=lambda c: (-rank[id(c)], -c.score, plain[id(c)]))


@lru_cache(maxsize=65_536)
def _folded(name: str) -> str:
    return fold(name)


def _date_doubtful(query: ParsedQuery, shown: list[Candidate]) -> bool:
    """Nobody born that day resembles the names typed: the date itself may be wrong."""
    significant = [token for token in query.names if token not in PARTICLES]
    reachable = 1.0 if len(significant) > 1 else ONE_FIELD_FACTOR
    best = max((candidate.name_score for candidate in shown), default=0.0)
    return best < WRONG_DATE_BELOW * reachable


def _rank(
    query: ParsedQuery, pool: dict[uuid.UUID, Candidate],
    evidence: dict[uuid.UUID, list[Reason]], commune: str | None, db_session: Session,
) -> list[Candidate]:
    shown = []
    for candidate in pool.values():
        candidate.evidence = evidence.get(candidate.resident_id, [])
        if score(candidate, names=tuple(query.names), birth_date=query.birth_date,
                 wants_contact=query.has_contact, commune=commune):
            shown.append(candidate)
    return shown


_MERGED = aliased(Resident)
# Candidates with the names of the records merged into them (direct merges: the older
# names of a chain still find the survivor through its keys). Built once.
_CANDIDATES = (
    select(*_COLUMNS, _MERGED.given_name.label("alias_given"),
           _MERGED.family_name.label("alias_family"), _MERGED.birth_name.label("alias_birth"))
    .outerjoin(ResidentMerge, (ResidentMerge.survivor_id == Resident.id)
               & ResidentMerge.undone_at.is_(None))
    .outerjoin(_MERGED, (_MERGED.id == ResidentMerge.merged_id)
               & (_MERGED.status == ResidentStatus.MERGED))
    .where(Resident.status == ResidentStatus.ACTIVE)
)


def _collect(rows: Any) -> dict[uuid.UUID, Candidate]:
    found: dict[uuid.UUID, Candidate] = {}
    for row in rows:
        candidate = found.get(row.id)
        if candidate is None:
            candidate = found[row.id] = Candidate(
                row.id, row.given_name, row.family_name, row.birth_name, row.birth_date,
                row.city, row.postal_code, row.insee_code)
        if row.alias_family is not None:
            candidate.aliases.append(NameSet(row.alias_given, row.alias_family,
                                             row.alias_birth, "merged_record"))
    return found


def _load(db_session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Candidate]:
    if not ids:
        return {}
    return _collect(db_session.execute(_CANDIDATES.where(Resident.id.in_(sorted(ids)))))


def _date_block(db_session: Session, birth_date: date) -> list[Candidate] | None:
    """Everybody born that day, or None when the day is crowded (no order needed: a
    crowded day is not used, a small one is taken whole)."""
    rows = db_session.execute(
        _CANDIDATES.where(Resident.birth_date == birth_date).limit(gen.DATE_BLOCK + 1)
    ).all()
    return None if len(rows) > gen.DATE_BLOCK else list(_collect(rows).values())


def _contact_evidence(db_session: Session, query: ParsedQuery) -> dict[uuid.UUID, list[Reason]]:
    found: dict[uuid.UUID, list[Reason]] = defaultdict(list)
    if query.phone:
        for resident_id in _with_contact(db_session, ContactKind.PHONE, query.phone):
            found[resident_id].append(Reason("phone", "exact", 1.0, query.phone_digits))
    elif query.phone_digits:
        digits = query.phone_digits
        key = f"#{digits[-6:]}" if len(digits) >= 6 else f"#{digits[-4:]}"
        ids = gen.by_key(db_session, key, cap=CONTACT_CAP)
        strength = 0.9 if len(digits) >= 6 else 0.7
        for resident_id, value in db_session.execute(
            select(ContactPoint.resident_id, ContactPoint.value).where(
                ContactPoint.resident_id.in_(ids), ContactPoint.kind == ContactKind.PHONE)
        ):
            if national_digits(value).endswith(digits) and resident_id not in found:
                found[resident_id].append(Reason("phone", "ends_with", strength, digits))
    if query.email:
        for resident_id in _with_contact(db_session, ContactKind.EMAIL, query.email):
            found[resident_id].append(Reason("email", "exact", 1.0, query.email))
    local_key = email_key(query.email) if query.email else (
        f"@{query.email_local}" if query.email_local else None)
    if local_key:
        for resident_id in gen.by_key(db_session, local_key, cap=CONTACT_CAP):
            if resident_id not in found:
                found[resident_id].append(
                    Reason("email", "local_part", 0.8, local_key.removeprefix("@")))
    if query.references:
        for reference, resident_id in db_session.execute(
            select(Case.reference, Case.resident_id).where(Case.reference.in_(query.references))
        ):
            found[resident_id].append(
                Reason("reference", "exact", 1.0, format_reference(reference)))
    return found


def _with_contact(db_session: Session, kind: ContactKind, value: str) -> list[uuid.UUID]:
    return list(db_session.scalars(
        select(ContactPoint.resident_id).where(ContactPoint.kind == kind,
                                               ContactPoint.value == value)
        .order_by(ContactPoint.resident_id).limit(CONTACT_CAP)
    ))
