"""How a demo case moves: the status path to its final status, and who does each move where.

Moves made by the city (acknowledgement, request for a document, answer) are outbound,
from the back-office by e-mail or post; moves made by the resident (bringing a document,
asking where things stand, coming to collect a passport) are inbound, on whatever channel
suits them, which is what makes histories cross channels.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.channels import Channel
from crm_core.demo import notes
from crm_core.demo.people import Person
from crm_core.demo.story import CasePlan, Step
from crm_core.demo.timeline import CHANNEL_DESK, CITY_TIMEZONE, Clock, Desk

S = CaseStatus
_ANSWERED_AT_ONCE = (CaseKind.QUESTION, CaseKind.PRAISE, CaseKind.IDEA)
_COLLECTED_AT_COUNTER = ("titres-identite", "etat-civil")


@dataclass(frozen=True, slots=True)
class _Move:
    status: CaseStatus | None
    channel: Channel
    agent: str | None
    note: str
    outbound: bool


class StepPlanner:
    def __init__(self, rng: random.Random, clock: Clock) -> None:
        self.rng = rng
        self.clock = clock

    def path(self, case: CasePlan, final: CaseStatus) -> list[CaseStatus]:
        rng = self.rng
        if final is S.NEW:
            return []
        if final is S.IN_PROGRESS:
            if case.kind is CaseKind.COMPLAINT and rng.random() < 0.25:
                return [S.IN_PROGRESS, S.RESOLVED, S.CLOSED, S.IN_PROGRESS]  # reopened
            return [S.IN_PROGRESS]
        if final is S.WAITING_RESIDENT:
            return [S.IN_PROGRESS, S.WAITING_RESIDENT] if rng.random() < 0.7 else [final]
        if final is S.RESOLVED:
            if rng.random() < 0.7:
                return [S.IN_PROGRESS, S.RESOLVED]
            return [S.IN_PROGRESS, S.WAITING_RESIDENT, S.IN_PROGRESS, S.RESOLVED]
        if (case.kind in _ANSWERED_AT_ONCE and case.origin is not Channel.WEB
                and rng.random() < 0.7):
            return [S.CLOSED]
        return rng.choices(
            [[S.IN_PROGRESS, S.RESOLVED, S.CLOSED], [S.IN_PROGRESS, S.CLOSED],
             [S.IN_PROGRESS, S.WAITING_RESIDENT, S.IN_PROGRESS, S.RESOLVED, S.CLOSED]],
            weights=[50, 20, 30],
        )[0]

    def plan(
        self, case: CasePlan, person: Person, final: CaseStatus, service_label: str
    ) -> list[Step]:
        path = self.path(case, final)
        if path == [S.CLOSED]:  # answered during the very exchange that opened the case
            at = case.opened_at + timedelta(minutes=self.rng.randint(2, 12))
            note = self._at_once_note(case.kind, service_label)
            return [Step(min(at, self.clock.now), case.origin, case.agent, S.CLOSED, note)]
        moves: list[_Move] = []
        previous = S.NEW
        for status in path:
            if moves and self.rng.random() < 0.3:
                moves.append(self._follow_up(person))
            moves.append(self._move(case, person, previous, status, service_label))
            previous = status
        age = self.clock.now - case.opened_at
        if not path and age > timedelta(days=5) and self.rng.random() < 0.4:
            moves.append(self._follow_up(person))
        # Closed cases were closed a while ago; open ones may have moved yesterday.
        end = self.clock.now if final is not S.CLOSED else (
            case.opened_at + age * self.rng.uniform(0.4, 0.9)
        )
        fractions = sorted(self.rng.uniform(0.05, 1.0) for _ in moves)
        steps: list[Step] = []
        previous_at = case.opened_at
        for move, fraction in zip(moves, fractions, strict=True):
            approx = case.opened_at + (end - case.opened_at) * fraction
            desk = CHANNEL_DESK[move.channel]
            day = approx.astimezone(CITY_TIMEZONE).date()
            at = self.clock.after(previous_at, self.clock.on_day(day, desk))
            steps.append(Step(at, move.channel, move.agent, move.status, move.note, move.outbound))
            previous_at = at
        return steps

    def _at_once_note(self, kind: CaseKind, service_label: str) -> str:
        if kind is CaseKind.PRAISE:
            return self.rng.choice(notes.THANKS_FORWARDED)
        if kind is CaseKind.IDEA:
            return self.rng.choice(notes.IDEA_FORWARDED).format(service=service_label)
        return self.rng.choice(notes.ANSWERED_AT_ONCE)

    def _city_writes(self, person: Person, note: str) -> _Move:
        """An outbound move from the back-office: e-mail when we have one, else a letter."""
        channel = Channel.EMAIL if person.emails and self.rng.random() < 0.8 else Channel.MAIL
        if self.rng.random() < 0.15:  # or a call from Allô mairie
            return _Move(None, Channel.PHONE, self.clock.agent(Desk.CALL_CENTRE), note, True)
        return _Move(None, channel, self.clock.agent(Desk.BACK_OFFICE), note, True)

    def _resident_comes(self, person: Person, note: str, *, counter_bias: float = 0.3) -> _Move:
        rng = self.rng
        if rng.random() < counter_bias:
            channel = Channel.COUNTER
        else:
            weights = {Channel.PHONE: 50, Channel.COUNTER: 20, Channel.CHAT: 12,
                       Channel.EMAIL: 12 if person.emails else 0, Channel.MAIL: 6}
            channel = rng.choices(list(weights), weights=list(weights.values()))[0]
        return _Move(None, channel, self.clock.agent(CHANNEL_DESK[channel]), note, False)

    def _follow_up(self, person: Person) -> _Move:
        return self._resident_comes(person, self.rng.choice(notes.FOLLOW_UP), counter_bias=0.1)

    def _move(
        self, case: CasePlan, person: Person, previous: CaseStatus, status: CaseStatus,
        service_label: str,
    ) -> _Move:
        rng = self.rng
        if status is S.IN_PROGRESS and previous is S.WAITING_RESIDENT:
            if person.emails and rng.random() < 0.35:  # uploaded from the online account
                move = _Move(None, Channel.WEB, None, rng.choice(notes.DOCUMENTS_ONLINE), False)
            else:
                move = self._resident_comes(person, rng.choice(notes.DOCUMENTS_BROUGHT),
                                            counter_bias=0.6)
        elif status is S.IN_PROGRESS and previous is S.CLOSED:
            move = self._resident_comes(person, rng.choice(notes.REOPENED))
        elif status is S.IN_PROGRESS:
            pool = notes.IDEA_FORWARDED if case.kind is CaseKind.IDEA else notes.ACKNOWLEDGED
            move = self._city_writes(person, rng.choice(pool).format(service=service_label))
        elif status is S.WAITING_RESIDENT:
            move = self._city_writes(person, rng.choice(notes.MISSING_DOCUMENT))
        elif status is S.RESOLVED:
            move = self._city_writes(
                person, rng.choice(notes.RESOLVED).format(service=service_label)
            )
        else:  # closed: collected at the counter, or confirmed remotely
            counter = 0.8 if case.service_code in _COLLECTED_AT_COUNTER else 0.35
            if rng.random() < counter:
                move = self._resident_comes(person, rng.choice(notes.CLOSED_AT_COUNTER),
                                            counter_bias=1.0)
            else:
                move = self._city_writes(person, rng.choice(notes.CLOSED_REMOTE))
        return _Move(status, move.channel, move.agent, move.note, move.outbound)
