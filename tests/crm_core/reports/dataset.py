"""A small fixed dataset whose figures are computed by hand in the tests.

October 2026, two sites (`nord`, `sud`), two services (`etat-civil` 10 days' delay,
`voirie` 5 days). Times are UTC.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

from crm_core.agents.models import Site
from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.cases.models import Case, CaseStatusChange, Service
from crm_core.channels import Channel
from crm_core.interactions.enums import Outcome
from crm_core.interactions.models import Interaction
from crm_core.queue.enums import TicketStatus
from crm_core.queue.models import QueueTicket
from crm_core.residents.models import Resident
from crm_core.telephony.enums import CallDirection, CallStatus, MatchKind, RemoteKind
from crm_core.telephony.models import Call


def at(day: int, hour: int = 10, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class World:
    session: Session
    factories: ModuleType
    nord: Site
    sud: Site
    etat_civil: Service
    voirie: Service
    residents: list[Resident] = field(default_factory=list)

    def resident(self, index: int) -> Resident:
        while len(self.residents) <= index:
            self.residents.append(self.factories.ResidentFactory())
        return self.residents[index]

    def contact(
        self, who: int, channel: Channel, when: datetime, *, site: Site | None = None,
        case: Case | None = None,
    ) -> Interaction:
        interaction = Interaction(
            resident_id=self.resident(who).id, channel=channel, outcome=Outcome.INFORMED,
            occurred_at=when, site_id=(site or self.nord).id if channel != Channel.WEB else None,
            case_id=case.id if case else None,
        )
        self.session.add(interaction)
        self.session.flush()
        return interaction

    def case(
        self, who: int, channel: Channel, opened: datetime, *, service: Service | None = None,
        kind: CaseKind = CaseKind.REQUEST, site: Site | None = None,
    ) -> Case:
        service = service or self.etat_civil
        case = Case(
            reference=uuid.uuid4().hex[:8].upper(), resident_id=self.resident(who).id,
            service_id=service.id, kind=kind, status=CaseStatus.NEW, origin_channel=channel,
            subject="Sujet libre qui ne doit jamais sortir", opened_at=opened,
            due_date=opened.date() + timedelta(days=service.announced_delay_days),
            site_id=(site or self.nord).id,
        )
        self.session.add(case)
        self.session.flush()
        self.session.add(CaseStatusChange(
            case_id=case.id, from_status=None, to_status=CaseStatus.NEW, channel=channel,
            changed_at=opened,
        ))
        self.session.flush()
        return case

    def resolve(self, case: Case, channel: Channel, when: datetime) -> None:
        self.session.add(CaseStatusChange(
            case_id=case.id, from_status=case.status, to_status=CaseStatus.RESOLVED,
            channel=channel, changed_at=when,
        ))
        case.status = CaseStatus.RESOLVED
        case.resolved_at = when
        self.session.flush()

    def ticket(
        self, who: int | None, when: datetime, wait: int, service_time: int,
        *, site: Site | None = None, number: int = 0, service: Service | None = None,
    ) -> QueueTicket:
        ticket = QueueTicket(
            site_id=(site or self.nord).id, local_day=when.date(),
            number=number or len(self.session.new) + 1 + int(when.timestamp()) % 100000,
            service_id=(service or self.etat_civil).id,
            resident_id=self.resident(who).id if who is not None else None,
            status=TicketStatus.WAITING, issued_at=when,
        )
        self.session.add(ticket)
        self.session.flush()
        ticket.called_at = when + timedelta(seconds=wait)
        ticket.wait_seconds = wait
        ticket.served_at = when + timedelta(seconds=wait + service_time)
        ticket.service_seconds = service_time
        ticket.status = TicketStatus.SERVED
        self.session.flush()
        return ticket

    def call(self, number: str, when: datetime, answer_after: int | None, **extra: Any) -> Call:
        call = Call(
            pbx="pbx", call_id=uuid.uuid4().hex, direction=CallDirection.INBOUND,
            status=CallStatus.RINGING, remote_raw=number, remote_number=number,
            remote_kind=RemoteKind.NUMBER, match_kind=MatchKind.UNKNOWN, started_at=when,
            **extra,
        )
        self.session.add(call)
        self.session.flush()
        if answer_after is not None:
            call.answered_at = when + timedelta(seconds=answer_after)
        call.ended_at = when + timedelta(seconds=(answer_after or 30) + 120)
        call.status = CallStatus.COMPLETED if answer_after is not None else CallStatus.ABANDONED
        self.session.flush()
        return call


def make_world(session: Session, factories: ModuleType) -> World:
    nord = factories.SiteFactory(code="nord", name="Mairie Nord")
    sud = factories.SiteFactory(code="sud", name="Mairie Sud")
    etat_civil = factories.ServiceFactory(code="etat-civil", label="État civil",
                                          announced_delay_days=10)
    voirie = factories.ServiceFactory(code="voirie", label="Voirie", announced_delay_days=5)
    return World(session=session, factories=factories, nord=nord, sud=sud,
                 etat_civil=etat_civil, voirie=voirie)


OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
