"""The objects an access-matrix cell acts on, made fresh for each cell (no cell sees
another's writes), and agents of every role at two sites with ready bearer tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role
from crm_core.agents.models import Agent, AgentSession, Site
from crm_core.agents.security import new_token, token_digest
from crm_core.badges import service as badges
from crm_core.badges.schemas import BadgeCreate
from crm_core.cases import reference as refs
from crm_core.cases.reference import format_reference
from crm_core.config import Settings
from crm_core.database.base import utcnow
from crm_core.privacy.enums import ConsentSource
from crm_core.queue import service as queue
from crm_core.reminders import service as reminders
from crm_core.reminders.enums import ReminderChannel
from crm_core.telephony import callbacks
from crm_core.telephony.schemas import CallbackIn
from tests import factories as _factories

factories: Any = _factories  # factory_boy classes are untyped

AGENT_ROLES = (Role.COUNTER, Role.PHONE, Role.SUPERVISOR, Role.ADMIN)


@dataclass
class Staff:
    """One agent per role at the home site and one at another site, each signed in."""

    home: Site
    other: Site
    tokens: dict[tuple[Role, str], str] = field(default_factory=dict)
    agents: dict[tuple[Role, str], Agent] = field(default_factory=dict)
    db_session: Session = field(init=False)

    @classmethod
    def make(cls, db_session: Session) -> Staff:
        staff = cls(home=factories.SiteFactory(), other=factories.SiteFactory())
        for role in AGENT_ROLES:
            for where, site in (("home", staff.home), ("other", staff.other)):
                staff.agents[role, where] = factories.AgentFactory(role=role, site=site)
        staff.db_session = db_session
        db_session.commit()  # out of reach of a route that rolls back (into the test's own)
        return staff

    def headers(self, role: Role | None, where: str = "home") -> dict[str, str]:
        """A new session of that agent (a cell that signs out spoils no other)."""
        if role is None:
            return {}
        agent = self.agents[role, where]
        token = new_token()
        self.db_session.add(AgentSession(
            token_hash=token_digest(token), agent_id=agent.id, site_id=agent.site_id,
            created_at=utcnow(), expires_at=utcnow() + timedelta(hours=1),
        ))
        self.db_session.flush()
        self.tokens[role, where] = token
        return {"Authorization": f"Bearer {token}"}

    def actor(self, role: Role = Role.COUNTER, where: str = "home") -> Actor:
        agent = self.agents[role, where]
        return Actor(username=agent.username, agent_id=agent.id, role=role,
                     site_id=agent.site_id)


class World:
    """Objects named like the path parameters that take them; each made on first use."""

    def __init__(self, db_session: Session, staff: Staff) -> None:
        self.db_session = db_session
        self.staff = staff

    @cached_property
    def resident(self) -> Any:
        return factories.ResidentFactory()

    @cached_property
    def other_resident(self) -> Any:
        return factories.ResidentFactory(given_name="Dominique", family_name="Lefebvre")

    @cached_property
    def twin(self) -> Any:
        """A second record of the same person (a duplicate to merge)."""
        return factories.ResidentFactory()

    @cached_property
    def uid(self) -> str:
        return uuid.uuid4().hex[:8]

    @cached_property
    def service(self) -> Any:
        return factories.ServiceFactory()

    @property
    def resident_id(self) -> str:
        return str(self.resident.id)

    @cached_property
    def reference(self) -> str:
        case = factories.CaseFactory(resident=self.resident, service=self.service)
        return format_reference(case.reference)

    @cached_property
    def badge_id(self) -> str:
        badge, _ = badges.issue(
            db_session=self.db_session, actor=self.staff.actor(), settings=Settings(),
            resident_id=self.resident.id, data=BadgeCreate(),
        )
        return badge.id

    @cached_property
    def ticket_id(self) -> str:
        ticket = queue.issue_ticket(db_session=self.db_session, actor=self.staff.actor(),
                                    service_code=self.service.code, timezone="Europe/Paris")
        return str(ticket.id)

    @cached_property
    def callback_id(self) -> str:
        """A call-back of the shared queue (assigned to nobody)."""
        return self._callback(assigned_to_me=False)

    @cached_property
    def colleagues_callback_id(self) -> str:
        """A call-back the phone agent of the home site took for themselves."""
        return self._callback(assigned_to_me=True)

    def _callback(self, *, assigned_to_me: bool) -> str:
        colleague = self.staff.actor(Role.PHONE)
        callback = callbacks.create(
            db_session=self.db_session, actor=colleague, region="FR", data=CallbackIn(
            phone="0299000000", due_at=utcnow() + timedelta(hours=1), reason="Rappeler",
            assigned_to_me=assigned_to_me))
        return str(callback.id)

    @cached_property
    def code(self) -> str:
        bundle = reminders.create_bundle(db_session=self.db_session,
                                         code=f"b{uuid.uuid4().hex[:8]}", label="Rentrée")
        return bundle.code

    @cached_property
    def subscription_id(self) -> str:
        return self._subscribe(self.resident.id)

    @cached_property
    def others_subscription_id(self) -> str:
        """A subscription of another resident, asked for under this resident's path."""
        return self._subscribe(self.other_resident.id)

    def _subscribe(self, resident_id: uuid.UUID) -> str:
        factories.ContactPointFactory(resident_id=resident_id, kind="email",
                                      value=f"{uuid.uuid4().hex[:8]}@example.org")
        subscription = reminders.subscribe(
            db_session=self.db_session, actor=self.staff.actor(), resident_id=resident_id,
            code=self.code, channel=ReminderChannel.EMAIL, source=ConsentSource.AGENT)
        return str(subscription.id)

    @cached_property
    def point_id(self) -> str:
        """A contact point of this resident."""
        point = factories.ContactPointFactory(resident=self.resident)
        return str(point.id)

    @property
    def point(self) -> str:  # the resident space's name for it
        return self.point_id

    @cached_property
    def agent_id(self) -> str:
        """A counter agent of the home site."""
        agent = factories.AgentFactory(role=Role.COUNTER, site=self.staff.home)
        return str(agent.id)

    @cached_property
    def agent_request_id(self) -> str:
        """A promotion to supervisor asked by the home site's admin, pending."""
        from crm_core.agents import changes

        _, request = changes.change(db_session=self.db_session, author=self.staff.actor(
            Role.ADMIN), agent_id=uuid.UUID(self.agent_id), role=Role.SUPERVISOR)
        assert request is not None
        return str(request.id)

    # Objects that an allowed role reaches as "not found": the handler ran, past the checks.
    @cached_property
    def request_id(self) -> str:
        return format_reference(refs.generate())  # well formed, of no case

    merge_id = call = review_id = "7f0e6c52-5f59-4c1a-9d8e-0d5b0c1c9a11"
    purpose = "contact_email"
    token = "jeton-inconnu"
    rest = "page-inconnue"
    name = "channels"  # a report
    source = "inconnue"
    fmt = "json"

    def path(self, template: str) -> str:
        names = [part.split("}")[0] for part in template.split("{")[1:]]
        values = {name: getattr(self, name.split(":")[0]) for name in names}
        for name, value in values.items():
            template = template.replace("{" + name + "}", str(value))
        return template
