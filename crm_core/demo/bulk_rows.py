"""Rows of a synthetic dataset, generated fast and already formatted as text.

Every value is a `str` (or `None` for NULL) in the form both engines store: UUIDs as 32 hex
digits, timestamps as `YYYY-MM-DD HH:MM:SS.ffffff` in UTC (with `+00` for PostgreSQL),
booleans as `0`/`1`, enum columns as their stable values. The hot loops draw one
`random()` per decision and index precomputed tables, which is what makes a million
residents fit in minutes of pure Python.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from crm_core.cases import reference as refs
from crm_core.cases.enums import CaseStatus
from crm_core.channels import Channel
from crm_core.demo import notes
from crm_core.demo.catalogue import E_SERVICES_SYSTEM, SERVICES
from crm_core.demo.names import FAMILY_NAMES, GIVEN_NAMES, Era, Sex
from crm_core.demo.places import COMMUNES, STREET_NAMES, STREET_TYPES
from crm_core.interactions.enums import Direction, Outcome
from crm_core.text import fold

DAY_MINUTES = 1440
HISTORY_DAYS = 365
_UUID_VERSION_7 = 0x7000
_UUID_VARIANT = 0x8000_0000_0000_0000
_MOBILE_SPACE = 150_000_000  # 06 [0-24-8] xxx xxxx and 07 [3-9] xxx xxxx
_LANDLINE_AREAS = ("99", "23", "96", "97", "98")  # Brittany: 02 99, 02 23, 02 96...
_LANDLINE_SPACE = len(_LANDLINE_AREAS) * 1_000_000
_SCRAMBLE = 48_271  # coprime with both spaces: index -> distinct number


def table(weights: dict[StrEnum, int]) -> list[str]:
    """A 100-slot lookup table of plain strings: `t[int(random() * 100)]` is a weighted draw."""
    total = sum(weights.values())
    slots = [str(value) for value, weight in weights.items()
             for _ in range(weight * 100 // total)]
    heaviest = str(max(weights, key=lambda key: weights[key]))
    return slots + [heaviest] * (100 - len(slots))


STATUSES = table({CaseStatus.NEW: 10, CaseStatus.IN_PROGRESS: 20,
                  CaseStatus.WAITING_RESIDENT: 8, CaseStatus.RESOLVED: 12,
                  CaseStatus.CLOSED: 50})
CHANNELS = table({Channel.WEB: 25, Channel.COUNTER: 25, Channel.PHONE: 30, Channel.EMAIL: 10,
                  Channel.MAIL: 4, Channel.CHAT: 6})
OUTCOMES = table({Outcome.INFORMED: 30, Outcome.CASE_UPDATED: 25, Outcome.DOCUMENTS_RECEIVED: 8,
                  Outcome.REDIRECTED: 10, Outcome.CALLBACK_SCHEDULED: 7, Outcome.NO_ANSWER: 5,
                  Outcome.RESOLVED: 8, Outcome.OTHER: 7})
_SUBMITTED, _UPDATED = Outcome.SUBMITTED_ONLINE.value, Outcome.CASE_UPDATED.value
_OUTBOUND, _INBOUND = Direction.OUTBOUND.value, Direction.INBOUND.value
NOTES = [n for pool in notes.STANDALONE.values() for n in pool] + list(notes.FOLLOW_UP)


def _mobile(index: int) -> str:
    s = (index * _SCRAMBLE + 12_345) % _MOBILE_SPACE
    if s < 80_000_000:
        return f"+336{'01245678'[s // 10_000_000]}{s % 10_000_000:07d}"
    s -= 80_000_000
    return f"+337{'3456789'[s // 10_000_000]}{s % 10_000_000:07d}"


def _landline(index: int) -> str:
    s = (index * _SCRAMBLE + 777) % _LANDLINE_SPACE
    return f"+332{_LANDLINE_AREAS[s // 1_000_000]}{s % 1_000_000:06d}"


class _References:
    """Unique valid case references without a database round-trip per row."""

    def __init__(self, taken: set[str]) -> None:
        alphabet, modulus = refs.ALPHABET, len(refs.ALPHABET)
        triples = [a + b + c for a in alphabet for b in alphabet for c in alphabet]
        value = {s: i for i, s in enumerate(alphabet)}
        # Weighted sums of the body, positions 1-3 and 4-6 (see crm_core.cases.reference).
        self.head = [(t, sum((i + 1) * value[c] for i, c in enumerate(t))) for t in triples]
        self.tail = [(t, sum((i + 4) * value[c] for i, c in enumerate(t))) for t in triples]
        self.inverse = pow(refs.REFERENCE_LENGTH, -1, modulus)
        self.alphabet, self.modulus = alphabet, modulus
        self.taken = taken

    def new(self, rng: random.Random) -> str:
        count = len(self.head)
        while True:
            head, head_sum = self.head[int(rng.random() * count)]
            tail, tail_sum = self.tail[int(rng.random() * count)]
            check = self.alphabet[(-(head_sum + tail_sum) * self.inverse) % self.modulus]
            reference = head + tail + check
            if reference not in self.taken:
                self.taken.add(reference)
                return reference


@dataclass
class Batch:
    residents: list[tuple[str | None, ...]] = field(default_factory=list)
    contact_points: list[tuple[str | None, ...]] = field(default_factory=list)
    cases: list[tuple[str | None, ...]] = field(default_factory=list)
    status_changes: list[tuple[str | None, ...]] = field(default_factory=list)
    interactions: list[tuple[str | None, ...]] = field(default_factory=list)
    sample: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)


class RowFactory:
    def __init__(
        self, *, rng: random.Random, today: date, ts_suffix: str, first_index: int,
        services: Sequence[tuple[str, str, int]], agent_id: str, site_id: str,
        taken_references: set[str], cases_per_resident: float,
        interactions_per_resident: float, sample_rate: float, epoch_millis: int,
    ) -> None:
        self.rng = rng
        self.index = first_index
        self.epoch_millis = epoch_millis
        self.sequence = 0
        self.cases_span = 2 * cases_per_resident
        self.interactions_span = 2 * interactions_per_resident
        self.sample_rate = sample_rate
        self.agent_id, self.site_id = agent_id, site_id
        self.references = _References(taken_references)
        self.services = list(services)  # (id hex, code, announced delay)
        self.subjects = {
            spec.code: [(s.kind.value, s.subject) for s in spec.subjects] for spec in SERVICES
        }
        # Day d is `today - HISTORY_DAYS - 100 + d`; minute m of the history is day m // 1440.
        start = today - timedelta(days=HISTORY_DAYS + 100)
        self.days = [(start + timedelta(days=d)).isoformat() for d in range(HISTORY_DAYS + 400)]
        self.history_start = 100 * DAY_MINUTES
        self.now_minute = (HISTORY_DAYS + 100) * DAY_MINUTES
        tod_rng = random.Random(rng.random())  # noqa: S311 - synthetic data
        self.clock = [
            f" {m // 60:02d}:{m % 60:02d}:{tod_rng.randrange(60):02d}.000000{ts_suffix}"
            for m in range(DAY_MINUTES)
        ]
        self.birth_days = [(date(1930, 1, 1) + timedelta(days=d)).isoformat()
                           for d in range((date(2007, 1, 1) - date(1930, 1, 1)).days)]
        self.given = {key: self._expand(names) for key, names in GIVEN_NAMES.items()}
        self.family = self._expand(FAMILY_NAMES)
        self.communes = [c for c in COMMUNES for _ in range(c.weight)]
        self.streets = [f"{t} {n}" for t, w in STREET_TYPES for _ in range(w) for n in STREET_NAMES]

    @staticmethod
    def _expand(names: Sequence[tuple[str, int]]) -> list[tuple[str, str]]:
        return [(name, fold(name)) for name, weight in names for _ in range(weight)]

    def uuid(self) -> str:
        """A time-ordered UUID (version 7, RFC 9562): 48-bit milliseconds, then a counter.

        Ordered keys are appended to the primary-key indexes instead of being scattered
        over them, which is what makes the load fast; the 62 random bits keep two loads
        apart even when their clocks overlap.
        """
        self.sequence += 1
        millis = self.epoch_millis + (self.sequence >> 12)
        value = ((millis << 80) | ((_UUID_VERSION_7 | (self.sequence & 0xFFF)) << 64)
                 | _UUID_VARIANT | self.rng.getrandbits(62))
        return f"{value:032x}"

    def ts(self, minute: int) -> str:
        return self.days[minute // DAY_MINUTES] + self.clock[minute % DAY_MINUTES]

    def moment(self) -> int:
        return self.history_start + int(self.rng.random() * (HISTORY_DAYS * DAY_MINUTES))

    def batch(self, count: int) -> Batch:
        batch = Batch()
        for _ in range(count):
            self.resident(batch)
        return batch

    def resident(self, batch: Batch) -> None:
        rng, index = self.rng, self.index
        self.index += 1
        resident_id = self.uuid()
        birth_offset = int(rng.random() * len(self.birth_days))
        birth = self.birth_days[birth_offset]
        year = int(birth[:4])
        era = Era.OLD if year < 1965 else Era.MIDDLE if year < 1990 else Era.YOUNG
        sex = Sex.FEMALE if rng.random() < 0.52 else Sex.MALE
        names = self.given[(sex, era)]
        given, given_key = names[int(rng.random() * len(names))]
        family, family_key = self.family[int(rng.random() * len(self.family))]
        commune = self.communes[int(rng.random() * len(self.communes))]
        street = self.streets[int(rng.random() * len(self.streets))]
        created = int(rng.random() * self.history_start)  # before the year of history
        created_at = self.ts(created)
        batch.residents.append((
            resident_id, given, family, None, given_key, family_key, birth,
            f"{1 + int(rng.random() * 140)} {street}",
            commune.postal_codes[int(rng.random() * len(commune.postal_codes))], commune.name,
            commune.insee_code, "active", None, created_at, created_at,
        ))
        mobile = _mobile(index)
        points = batch.contact_points
        points.append((self.uuid(), resident_id, "phone", mobile, "mobile", "0",
                       "1" if rng.random() < 0.7 else "0", "counter", None, created_at))
        if rng.random() < 0.2:
            points.append((self.uuid(), resident_id, "phone", _landline(index), "domicile", "0",
                           "0", "phone", None, created_at))
        email = None
        if rng.random() < 0.5:
            local = f"{given_key}.{family_key}".replace(" ", "-")
            email = f"{local}.{index}@example.org"
            points.append((self.uuid(), resident_id, "email", email, None,
                           "1" if rng.random() < 0.5 else "0",
                           "1" if rng.random() < 0.5 else "0", "web", None, created_at))
        cases = self.cases(batch, resident_id)
        self.interactions(batch, resident_id, cases)
        if rng.random() < self.sample_rate:
            reference = cases[0][2] if cases else None
            batch.sample.append((resident_id, mobile, email, reference))

    def cases(self, batch: Batch, resident_id: str) -> list[tuple[str, int, str]]:
        rng, made = self.rng, []
        for _ in range(int(rng.random() * self.cases_span + 0.5)):
            case_id = self.uuid()
            service_id, code, delay = self.services[int(rng.random() * len(self.services))]
            kind, subject = self.subjects[code][int(rng.random() * len(self.subjects[code]))]
            status = STATUSES[int(rng.random() * 100)]
            channel = CHANNELS[int(rng.random() * 100)]
            opened = self.moment()
            reference = self.references.new(rng)
            web = channel == Channel.WEB
            agent, site = (None, None) if web else (self.agent_id, self.site_id)
            due = self.days[opened // DAY_MINUTES + delay]
            resolved = closed = None
            last = opened
            if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
                last = min(opened + int(rng.random() * 60 * DAY_MINUTES), self.now_minute - 1)
                resolved = self.ts(last)
                closed = resolved if status == CaseStatus.CLOSED else None
            opened_at = self.ts(opened)
            batch.cases.append((
                case_id, reference, resident_id, service_id, kind, status, channel, subject,
                None, E_SERVICES_SYSTEM if web else None, f"DEM-{reference}" if web else None,
                opened_at, due, resolved, closed, site, agent, opened_at, self.ts(last),
            ))
            batch.status_changes.append(
                (self.uuid(), case_id, None, "new", channel, opened_at, agent, None, None)
            )
            if status != CaseStatus.NEW:
                moved = self.ts(max(last, opened + 1))
                batch.status_changes.append((self.uuid(), case_id, "new", status, channel,
                                             moved, self.agent_id, None, None))
            made.append((case_id, opened, reference))
        return made

    def interactions(
        self, batch: Batch, resident_id: str, cases: list[tuple[str, int, str]]
    ) -> None:
        rng, rows = self.rng, batch.interactions
        for _ in range(int(rng.random() * self.interactions_span + 0.5)):
            channel = CHANNELS[int(rng.random() * 100)]
            case_id = None
            at = self.moment()
            if cases and rng.random() < 0.5:
                case_id, opened, _ = cases[int(rng.random() * len(cases))]
                at = opened + int(rng.random() * (self.now_minute - opened))
            if channel == Channel.WEB:
                outcome = _SUBMITTED if case_id is None else _UPDATED
                agent = site = None
            else:
                outcome = OUTCOMES[int(rng.random() * 100)]
                agent, site = self.agent_id, self.site_id
            direction = _OUTBOUND if rng.random() < 0.15 else _INBOUND
            ended = self.ts(at + 2 + int(rng.random() * 15)) if channel == Channel.PHONE else None
            note = NOTES[int(rng.random() * len(NOTES))] if rng.random() < 0.7 else None
            occurred = self.ts(at)
            rows.append((self.uuid(), resident_id, case_id, channel, direction, outcome, note,
                         occurred, ended, agent, site, None, occurred))
