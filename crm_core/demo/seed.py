"""`seed_demo`: a realistic French demo city, written through the domain services.

The story is planned first (`plan.py`, a pure function of the seed and of `now`) and then
played through the same services the API calls, so that every row is what Relais itself
would have written: residents and their contact points, online-account links, cases with
their status history, interactions and access-log rows.

Choices worth knowing:

- **Guard.** Seeding twice raises `DemoAlreadySeeded` (a `Conflict`) when any of the demo
  agents exists; `is_seeded()` lets a caller check first. Sites and services that already
  exist with the same code (e.g. created by the bulk loader) are reused.
- **Time.** The history spans the last 120 days. Services are given the moment of each
  step (`opened_at`, `at`); the columns they leave to "now" (`created_at`, `updated_at`,
  the access log's `occurred_at`) are stamped with the simulated moment by a `before_flush`
  hook on the session, so that the access log and creation dates tell the same story.
- **Old contacts.** `interactions.service.record` refuses contacts older than 30 days
  (the offline-journal guard). Contacts without a case that are older than that are written
  with the same columns and access-log row the service writes; case moves of any age go
  through `cases.service.update_case`, which takes an explicit `at`.
- **Direction.** `update_case` has no direction: moves made by the city (acknowledgement,
  request for a document, answer) get their interaction marked outbound afterwards.
- **Determinism.** Names, phones, dates, channels and notes depend only on `rng_seed` and
  `now`; database ids and case references are drawn by the services themselves.

The function flushes and never commits: the caller commits.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm_core.agents import service as agents
from crm_core.agents.actor import SYSTEM, Actor
from crm_core.agents.models import Agent, Site
from crm_core.cases import service as cases
from crm_core.cases.models import Case, Service
from crm_core.cases.schemas import CaseCreate, ServiceCreate
from crm_core.database.base import utcnow
from crm_core.demo.catalogue import (
    DEMO_AGENTS,
    DEMO_USERNAMES,
    E_SERVICES_SYSTEM,
    ONLINE_ACCOUNT_PROVIDER,
    OTHER_AGENTS,
    SERVICES,
    SITES,
)
from crm_core.demo.consents import record_answers
from crm_core.demo.examples import DemoExample, find_examples
from crm_core.demo.people import Person
from crm_core.demo.plan import HISTORY_DAYS, plan_demo
from crm_core.demo.reminders import seed_reminders
from crm_core.demo.story import CasePlan, ContactPlan, Registration
from crm_core.exceptions import Conflict, InvalidInput
from crm_core.interactions import service as interactions
from crm_core.interactions import timing
from crm_core.interactions.enums import Direction
from crm_core.interactions.models import Interaction
from crm_core.interactions.schemas import InteractionCreate
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.residents import service as residents
from crm_core.residents.models import Resident
from crm_core.residents.schemas import EmailIn, PhoneIn, ResidentCreate

# The demo city's people have French numbers, whatever region the server reads by default.
DEMO_PHONE_REGION = "FR"
_RECORD_LIMIT = timing.MAX_BACKDATING - timedelta(hours=1)


class DemoAlreadySeeded(Conflict):
    code = "demo_already_seeded"
    title = "Démonstration déjà chargée"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    sites: int
    services: int
    agents: int
    residents: int
    accounts: int
    cases: int
    interactions: int
    examples: list[DemoExample]

    def hints(self) -> list[str]:
        return [example.hint for example in self.examples]


def is_seeded(*, db_session: Session) -> bool:
    found = db_session.scalar(
        select(Agent.id).where(Agent.username.in_(DEMO_USERNAMES)).limit(1)
    )
    return found is not None


class _SimulatedTime:
    """Stamps what the services leave to "now" with the moment being replayed."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def before_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        for obj in session.new:
            for name in ("created_at", "updated_at", "occurred_at"):
                if hasattr(type(obj), name) and getattr(obj, name) is None:
                    setattr(obj, name, self.at)
        for obj in session.dirty:
            if isinstance(obj, Case | Resident) and session.is_modified(obj):
                obj.updated_at = self.at


@contextmanager
def _simulated_time(db_session: Session, start: datetime) -> Iterator[_SimulatedTime]:
    clock = _SimulatedTime(start)
    event.listen(db_session, "before_flush", clock.before_flush)
    try:
        yield clock
        db_session.flush()
    finally:
        event.remove(db_session, "before_flush", clock.before_flush)


def seed_demo(
    *,
    db_session: Session,
    password: str = "demo",  # noqa: S107 - the documented password of the demo agents
    residents: int = 300,
    rng_seed: int = 2026,
    now: datetime | None = None,
    timezone: str,
) -> DemoSummary:
    """Create the demo city: sites, services, agents, residents and 120 days of history."""
    if residents < 1:
        raise InvalidInput("Il faut au moins un usager de démonstration", field="residents")
    if is_seeded(db_session=db_session):
        raise DemoAlreadySeeded(
            "Les données de démonstration sont déjà chargées (agents "
            + ", ".join(f"« {name} »" for name in DEMO_USERNAMES) + " présents)"
        )
    now = now or utcnow()
    plan = plan_demo(residents=residents, rng_seed=rng_seed, now=now)
    with _simulated_time(db_session, now - timedelta(days=HISTORY_DAYS + 45)) as clock:
        site_count, service_count = _reference_data(db_session)
        actors = _agents(db_session, password)
        player = _Player(db_session, clock, actors, timezone)
        ids = [
            player.register(person, registration)
            for person, registration in zip(plan.people, plan.registrations, strict=True)
        ]
        interaction_count = 0
        for case in sorted(plan.cases, key=lambda c: c.opened_at):
            interaction_count += player.play_case(case, ids[case.person])
        for contact in sorted(plan.contacts, key=lambda c: c.at):
            player.play_contact(contact, ids[contact.person])
    seed_reminders(db_session=db_session, resident_ids=ids, today=now.date(),
                   rng=random.Random(rng_seed))  # noqa: S311 - demo data
    return DemoSummary(
        sites=site_count, services=service_count, agents=len(actors),
        residents=len(ids), accounts=sum(1 for p in plan.people if p.account_subject),
        cases=len(plan.cases), interactions=interaction_count + len(plan.contacts),
        examples=find_examples(db_session=db_session),
    )


def _reference_data(db_session: Session) -> tuple[int, int]:
    for site in SITES:
        if db_session.scalar(select(Site.id).where(Site.code == site.code)) is None:
            agents.create_site(
                db_session=db_session, code=site.code, name=site.name, kind=site.kind,
                insee_code=site.insee_code, address=site.address,
            )
    for spec in SERVICES:
        if db_session.scalar(select(Service.id).where(Service.code == spec.code)) is None:
            cases.create_service(
                db_session=db_session,
                data=ServiceCreate(code=spec.code, label=spec.label,
                                   announced_delay_days=spec.announced_delay_days),
            )
    return len(SITES), len(SERVICES)


def _agents(db_session: Session, password: str) -> dict[str, Actor]:
    actors: dict[str, Actor] = {}
    for spec in DEMO_AGENTS + OTHER_AGENTS:
        agent = agents.create_agent(
            db_session=db_session, username=spec.username, display_name=spec.display_name,
            password=password, role=spec.role, site_code=spec.site_code,
            phone_extension=spec.phone_extension, weak_password_allowed=True,
        )
        actors[agent.username] = Actor(
            username=agent.username, agent_id=agent.id, role=agent.role, site_id=agent.site_id
        )
    return actors


class _Player:
    """Plays the planned story through the services, moment by moment."""

    def __init__(self, db_session: Session, clock: _SimulatedTime, actors: dict[str, Actor],
                 timezone: str):
        self.db_session = db_session
        self.timezone = timezone
        self.clock = clock
        self.actors = actors

    def actor(self, username: str | None) -> Actor:
        return self.actors[username] if username else SYSTEM

    def register(self, person: Person, registration: Registration) -> uuid.UUID:
        self.clock.at = registration.at
        data = ResidentCreate(
            given_name=person.given_name, family_name=person.family_name,
            birth_name=person.birth_name, birth_date=person.birth_date,
            address_line=person.address_line, postal_code=person.postal_code,
            city=person.city, insee_code=person.insee_code,
            phones=[PhoneIn(number=p.written, label=p.label, contact_allowed=p.contact_allowed)
                    for p in person.phones],
            emails=[EmailIn(address=e.address, contact_allowed=e.contact_allowed)
                    for e in person.emails],
            channel=registration.channel,
        )
        resident = residents.create(
            db_session=self.db_session, actor=self.actor(registration.agent), data=data,
            channel=registration.channel, phone_region=DEMO_PHONE_REGION,
        )
        record_answers(db_session=self.db_session, actor=self.actor(registration.agent),
                       resident_id=resident.id, person=person, channel=registration.channel)
        if person.account_subject and registration.account_linked_at:
            self.clock.at = registration.account_linked_at
            residents.link_account(
                db_session=self.db_session, actor=SYSTEM, resident_id=resident.id,
                provider=ONLINE_ACCOUNT_PROVIDER, subject=person.account_subject,
            )
        return resident.id

    def play_case(self, plan: CasePlan, resident_id: uuid.UUID) -> int:
        """Open the case and make its moves; returns the number of interactions written."""
        self.clock.at = plan.opened_at
        case = cases.open_case(
            db_session=self.db_session, actor=self.actor(plan.agent),
            data=CaseCreate(
                resident_id=resident_id, service_code=plan.service_code, channel=plan.origin,
                kind=plan.kind, subject=plan.subject, description=plan.description,
                external_system=E_SERVICES_SYSTEM if plan.external_id else None,
                external_id=plan.external_id,
            ),
            opened_at=plan.opened_at, timezone=self.timezone,
        )
        for step in plan.steps:
            self.clock.at = step.at
            _, interaction = cases.update_case(
                db_session=self.db_session, actor=self.actor(step.agent),
                reference=case.reference, status=step.status, channel=step.channel,
                note=step.note, at=step.at,
            )
            if step.outbound:
                interaction.direction = Direction.OUTBOUND
        return 1 + len(plan.steps)

    def play_contact(self, plan: ContactPlan, resident_id: uuid.UUID) -> None:
        self.clock.at = plan.at
        actor = self.actor(plan.agent)
        direction = Direction.OUTBOUND if plan.outbound else Direction.INBOUND
        ended_at = plan.at + timedelta(minutes=plan.minutes) if plan.minutes else None
        real_now = utcnow()
        if real_now - _RECORD_LIMIT <= plan.at <= real_now:
            interactions.record(
                db_session=self.db_session, actor=actor,
                data=InteractionCreate(
                    resident_id=resident_id, channel=plan.channel, direction=direction,
                    outcome=plan.outcome, note=plan.note, occurred_at=plan.at,
                    ended_at=ended_at,
                ),
            )
            return
        # Older than the service accepts: the same row and access-log entry, written here.
        self.db_session.add(
            Interaction(
                resident_id=resident_id, case_id=None, channel=plan.channel,
                direction=direction, outcome=plan.outcome, note=plan.note,
                occurred_at=plan.at, ended_at=ended_at, agent_id=actor.agent_id,
                site_id=actor.site_id, idempotency_key=None,
            )
        )
        record_access(
            db_session=self.db_session, actor=actor, resident_id=resident_id,
            operation=AccessOperation.RECORD_INTERACTION, channel=plan.channel,
        )
        self.db_session.flush()
