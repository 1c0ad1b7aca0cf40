"""The demo's story, planned before anything is written.

Who registered when and where, which cases each resident opened on which channel, how
every case moved (and on which channel each move happened), and the contacts that were
not about a case. A pure function of the seed and of `now`: `seed.py` then plays it
through the domain services.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import TypeVar

from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.channels import Channel
from crm_core.demo import notes
from crm_core.demo.catalogue import SERVICES, SERVICES_BY_CODE, ServiceSpec, Subject
from crm_core.demo.people import Person, make_people, registered_twice
from crm_core.demo.steps import StepPlanner
from crm_core.demo.story import CasePlan, ContactPlan, DemoPlan, Registration, Step
from crm_core.demo.timeline import CHANNEL_DESK, Clock, Desk
from crm_core.interactions.enums import Outcome

HISTORY_DAYS = 120
S = CaseStatus
T = TypeVar("T")

KINDS = list(CaseKind)
# Where a request can start: the city's SMS only go out (reminders).
CHANNELS = [channel for channel in Channel if channel is not Channel.SMS]
STATUSES = list(CaseStatus)
_KIND_WEIGHTS = {
    CaseKind.REQUEST: 55, CaseKind.QUESTION: 18, CaseKind.COMPLAINT: 14, CaseKind.IDEA: 5,
    CaseKind.PRAISE: 8,
}
_CHANNEL_WEIGHTS = {
    Channel.WEB: 30, Channel.COUNTER: 25, Channel.PHONE: 22, Channel.EMAIL: 12,
    Channel.MAIL: 5, Channel.CHAT: 6,
}
_STATUS_WEIGHTS = {S.NEW: 12, S.IN_PROGRESS: 18, S.WAITING_RESIDENT: 10, S.RESOLVED: 12,
                   S.CLOSED: 48}
# How old a case whose last status is this one can be (days).
_AGE_DAYS = {S.NEW: (0.1, 12.0), S.IN_PROGRESS: (2.0, 50.0), S.WAITING_RESIDENT: (4.0, 60.0),
             S.RESOLVED: (5.0, 80.0), S.CLOSED: (8.0, HISTORY_DAYS - 2.0)}
_STANDALONE_OUTCOMES = {
    Outcome.INFORMED: 50, Outcome.REDIRECTED: 15, Outcome.CALLBACK_SCHEDULED: 8,
    Outcome.NO_ANSWER: 7, Outcome.DOCUMENTS_RECEIVED: 5, Outcome.OTHER: 15,
}
_CONTACT_CHANNELS = {Channel.PHONE: 40, Channel.COUNTER: 35, Channel.CHAT: 10,
                     Channel.EMAIL: 10, Channel.MAIL: 5}


def _weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def coherent_status(kind: CaseKind, status: CaseStatus) -> CaseStatus:
    """Thanks are not put on hold for a missing document; ideas are studied, not returned."""
    if kind is CaseKind.PRAISE and status in (S.WAITING_RESIDENT, S.IN_PROGRESS):
        return S.CLOSED
    if kind is CaseKind.IDEA and status is S.WAITING_RESIDENT:
        return S.IN_PROGRESS
    return status


class Planner:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.clock = Clock(rng, now)
        self.steps = StepPlanner(rng, self.clock)
        self.next_external = 1041

    def subject_of(self, kind: CaseKind) -> tuple[ServiceSpec, Subject]:
        services = [s for s in SERVICES if any(x.kind is kind for x in s.subjects)]
        service = self.rng.choices(services, weights=[s.weight for s in services])[0]
        subject = self.rng.choice([x for x in service.subjects if x.kind is kind])
        return service, subject

    def case(
        self, person: Person, origin: Channel, kind: CaseKind, final: CaseStatus
    ) -> CasePlan:
        service, subject = self.subject_of(kind)
        desk = CHANNEL_DESK[origin]
        low, high = _AGE_DAYS[final]
        opened_at = self.clock.days_ago(self.rng.uniform(low, high), desk)
        plan = CasePlan(
            person=person.index, service_code=service.code, kind=kind,
            subject=subject.subject, description=subject.description, origin=origin,
            agent=self.clock.agent(desk), opened_at=opened_at,
            external_id=self._external_id(opened_at) if origin is Channel.WEB else None,
        )
        plan.steps = self.steps.plan(plan, person, final, service.label)
        return plan

    def _external_id(self, opened_at: datetime) -> str:
        self.next_external += self.rng.randint(1, 40)
        return f"DEM-{opened_at.year}-{self.next_external:06d}"

    def showcase_cases(self, camille: Person) -> list[CasePlan]:
        """Journey 1 of the mission: online, then the phone, then the counter.

        One case went the whole way two months ago and was closed at the counter; the
        other, filed online twelve days ago, is still open for the demo to close.
        """
        c = self.clock
        open_case = CasePlan(
            person=camille.index, service_code="titres-identite", kind=CaseKind.REQUEST,
            subject="Pré-demande de passeport",
            description="Voyage prévu à l'étranger cet été ; pré-demande faite en ligne.",
            origin=Channel.WEB, agent=None, opened_at=c.days_ago(12, Desk.ONLINE),
            external_id=None,
        )
        open_case.external_id = self._external_id(open_case.opened_at)
        label = SERVICES_BY_CODE["titres-identite"].label
        open_case.steps = self._chain(open_case.opened_at, [
            (10, Channel.EMAIL, "noel.boucher", S.IN_PROGRESS,
             notes.ACKNOWLEDGED[0].format(service=label), True),
            (4, Channel.PHONE, "telephone", None,
             "Appel pour connaître l'avancement : rendez-vous au guichet conseillé.", False),
        ])
        closed = CasePlan(
            person=camille.index, service_code="inscriptions-scolaires", kind=CaseKind.REQUEST,
            subject="Inscription à la cantine et au périscolaire",
            description="Deux enfants, accueil du soir les lundis et jeudis.",
            origin=Channel.WEB, agent=None, opened_at=c.days_ago(75, Desk.ONLINE),
            external_id=None,
        )
        closed.external_id = self._external_id(closed.opened_at)
        closed.steps = self._chain(closed.opened_at, [
            (73, Channel.EMAIL, "sophie.perrault", S.WAITING_RESIDENT,
             notes.MISSING_DOCUMENT[0], True),
            (70, Channel.PHONE, "francois.nguyen", None,
             "Question sur le justificatif attendu : avis d'imposition ou attestation CAF.",
             False),
            (66, Channel.COUNTER, "accueil", S.CLOSED,
             "Attestation CAF apportée au guichet, inscriptions validées sur place :"
             " dossier clôturé.", False),
        ])
        return [closed, open_case]

    def _chain(
        self, opened_at: datetime,
        moves: list[tuple[float, Channel, str, CaseStatus | None, str, bool]],
    ) -> list[Step]:
        """Moves given as (days ago, channel, agent, status, note, outbound), kept in order."""
        steps, previous = [], opened_at
        for days, channel, agent, status, note, outbound in moves:
            at = self.clock.after(previous, self.clock.days_ago(days, CHANNEL_DESK[channel]))
            steps.append(Step(at, channel, agent, status, note, outbound))
            previous = at
        return steps

    def contact(self, person: Person) -> ContactPlan:
        outcome = _weighted(self.rng, _STANDALONE_OUTCOMES)
        channel = _weighted(self.rng, _CONTACT_CHANNELS)
        outbound = outcome in (Outcome.NO_ANSWER, Outcome.CALLBACK_SCHEDULED)
        if outbound:
            channel = Channel.PHONE
        if channel is Channel.EMAIL and not person.emails:
            channel = Channel.PHONE
        desk = CHANNEL_DESK[channel]
        at = self.clock.days_ago(self.rng.uniform(0.05, HISTORY_DAYS), desk)
        note = self.rng.choice(
            notes.NO_ANSWER if outcome is Outcome.NO_ANSWER else notes.STANDALONE[outcome]
        )
        minutes = self.rng.randint(2, 25) if channel in (Channel.PHONE, Channel.COUNTER) else None
        if minutes is not None:  # over by now: an end ahead of the clock is refused
            at = min(at, self.now - timedelta(minutes=minutes + 1))
        return ContactPlan(person.index, at, channel, self.clock.agent(desk), outcome,
                           outbound, note, minutes)

    def registration(
        self, person: Person, cases: list[CasePlan], contacts: list[ContactPlan]
    ) -> Registration:
        events = sorted(
            [(c.opened_at, c.origin, c.agent) for c in cases]
            + [(c.at, c.channel, c.agent) for c in contacts],
            key=lambda event: event[0],
        )
        first_at, channel, agent = events[0]
        if channel is Channel.WEB:  # created by the online account's first sign-in
            at = first_at - timedelta(days=self.rng.uniform(1, 40))
            return Registration(at, Channel.WEB, None, at + timedelta(minutes=1))
        at = first_at - timedelta(minutes=self.rng.randint(1, 4))
        if not person.account_subject:
            return Registration(at, channel, agent, None)
        online = [c.opened_at for c in cases if c.origin is Channel.WEB] + [
            s.at for c in cases for s in c.steps if s.channel is Channel.WEB
        ]
        if online:  # the account existed before the first thing done online
            linked = at + (min(online) - at) * self.rng.uniform(0.2, 0.9)
        else:
            linked = self.clock.after(at, self.clock.between(at, self.now, Desk.ONLINE))
        return Registration(at, channel, agent, linked)


def _case_counts(rng: random.Random, people: list[Person]) -> list[int]:
    return [0] + [rng.choices([0, 1, 2, 3, 4], weights=[25, 40, 22, 10, 3])[0]
                  for _ in people[1:]]


def plan_demo(*, residents: int, rng_seed: int, now: datetime) -> DemoPlan:
    rng = random.Random(rng_seed)  # noqa: S311 - demo data, not secrets
    planner = Planner(rng, now)
    people = make_people(residents, rng, planner.clock.today)
    if residents >= 3:  # `relais residents duplicates` has a pair to show
        people[-1] = registered_twice(people[1], as_=people[-1])
    cases: list[CasePlan] = planner.showcase_cases(people[0])
    slot = 0
    origin: Channel
    for person, count in zip(people, _case_counts(rng, people), strict=True):
        for _ in range(count):
            if slot < 30:  # the first thirty cover every channel x kind, and every status
                origin, kind = CHANNELS[slot % 6], KINDS[slot % 5]
                final = STATUSES[(slot // 6) % 5]
            else:
                origin = _weighted(rng, _CHANNEL_WEIGHTS)
                kind = _weighted(rng, _KIND_WEIGHTS)
                final = _weighted(rng, _STATUS_WEIGHTS)
            slot += 1
            cases.append(planner.case(person, origin, kind, coherent_status(kind, final)))
    by_person: dict[int, list[CasePlan]] = {}
    for case in cases:
        by_person.setdefault(case.person, []).append(case)
    contacts: list[ContactPlan] = []
    registrations: list[Registration] = []
    for person in people:
        own_cases = by_person.get(person.index, [])
        count = rng.choices([0, 1, 2, 3], weights=[40, 35, 15, 10])[0]
        own_contacts = [planner.contact(person) for _ in range(max(count, 0 if own_cases else 1))]
        contacts += own_contacts
        _give_account(rng, person, own_cases)
        registrations.append(planner.registration(person, own_cases, own_contacts))
    return DemoPlan(now, people, registrations, cases, contacts)


def _give_account(rng: random.Random, person: Person, cases: list[CasePlan]) -> None:
    """Residents who filed online have an online account; a few others made one anyway."""
    online = any(Channel.WEB in c.channels for c in cases)
    if online or (person.emails and rng.random() < 0.2):
        person.account_subject = str(uuid.UUID(int=rng.getrandbits(128), version=4))
