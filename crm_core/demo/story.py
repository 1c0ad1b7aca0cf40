"""The records of a planned demo: registrations, cases with their moves, other contacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.channels import Channel
from crm_core.demo.people import Person
from crm_core.interactions.enums import Outcome


@dataclass(frozen=True, slots=True)
class Step:
    at: datetime
    channel: Channel
    agent: str | None  # username; None: the online services act
    status: CaseStatus | None
    note: str
    outbound: bool = False


@dataclass(slots=True)
class CasePlan:
    person: int
    service_code: str
    kind: CaseKind
    subject: str
    description: str
    origin: Channel
    agent: str | None
    opened_at: datetime
    external_id: str | None
    steps: list[Step] = field(default_factory=list)

    @property
    def final_status(self) -> CaseStatus:
        statuses = [step.status for step in self.steps if step.status is not None]
        return statuses[-1] if statuses else CaseStatus.NEW

    @property
    def channels(self) -> set[Channel]:
        return {self.origin} | {step.channel for step in self.steps}


@dataclass(frozen=True, slots=True)
class ContactPlan:
    person: int
    at: datetime
    channel: Channel
    agent: str | None
    outcome: Outcome
    outbound: bool
    note: str
    minutes: int | None  # length of a call or a visit


@dataclass(frozen=True, slots=True)
class Registration:
    at: datetime
    channel: Channel
    agent: str | None
    account_linked_at: datetime | None


@dataclass(slots=True)
class DemoPlan:
    now: datetime
    people: list[Person]
    registrations: list[Registration]
    cases: list[CasePlan]
    contacts: list[ContactPlan]
