"""Test data factories (factory_boy), bound to the test's session by the `factories` fixture."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import factory
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role, SiteKind
from crm_core.agents.models import Agent, Site
from crm_core.agents.security import hash_password
from crm_core.cases import reference as refs
from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.cases.models import Case, Service
from crm_core.channels import Channel
from crm_core.interactions.enums import Outcome
from crm_core.interactions.models import Interaction
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.models import ContactPoint, Resident
from crm_core.text import fold

# Hashing is deliberately slow; one hash serves every factory-made agent ("secret-pass").
AGENT_PASSWORD = "secret-pass"
_AGENT_PASSWORD_HASH = hash_password(AGENT_PASSWORD)


class _Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"


class SiteFactory(_Base):
    class Meta:
        model = Site

    code = factory.Sequence(lambda n: f"site-{n}")
    name = factory.Sequence(lambda n: f"Mairie annexe n°{n}")
    kind = SiteKind.TOWN_HALL
    insee_code = "35238"


class AgentFactory(_Base):
    class Meta:
        model = Agent

    username = factory.Sequence(lambda n: f"agent{n}")
    display_name = factory.Sequence(lambda n: f"Agent Dupont {n}")
    password_hash = _AGENT_PASSWORD_HASH
    role = Role.COUNTER
    site = factory.SubFactory(SiteFactory)


class ServiceFactory(_Base):
    class Meta:
        model = Service

    code = factory.Sequence(lambda n: f"service-{n}")
    label = factory.Sequence(lambda n: f"Service municipal {n}")
    announced_delay_days = 10


class ResidentFactory(_Base):
    class Meta:
        model = Resident

    given_name = "Camille"
    family_name = "Durand"
    given_name_key = factory.LazyAttribute(lambda o: fold(o.given_name))
    family_name_key = factory.LazyAttribute(lambda o: fold(o.family_name))
    birth_date = date(1984, 3, 12)
    insee_code = "35238"
    status = ResidentStatus.ACTIVE


class ContactPointFactory(_Base):
    class Meta:
        model = ContactPoint

    resident = factory.SubFactory(ResidentFactory)
    kind = ContactKind.PHONE
    value = factory.Sequence(lambda n: f"+336{n:08d}")
    contact_allowed = True


class CaseFactory(_Base):
    class Meta:
        model = Case

    reference = factory.LazyFunction(refs.generate)
    resident_id = factory.LazyAttribute(lambda o: o.resident.id)
    service = factory.SubFactory(ServiceFactory)
    kind = CaseKind.REQUEST
    status = CaseStatus.NEW
    origin_channel = Channel.WEB
    subject = "Demande d'acte de naissance"

    class Params:
        resident = factory.SubFactory(ResidentFactory)


class InteractionFactory(_Base):
    class Meta:
        model = Interaction

    resident_id = factory.LazyAttribute(lambda o: o.resident.id)
    channel = Channel.COUNTER
    outcome = Outcome.INFORMED

    class Params:
        resident = factory.SubFactory(ResidentFactory)


ALL = [
    SiteFactory, AgentFactory, ServiceFactory, ResidentFactory, ContactPointFactory,
    CaseFactory, InteractionFactory,
]


def bind(session: Session | None) -> None:
    for factory_class in ALL:
        factory_class._meta.sqlalchemy_session = session


def random_uuid() -> uuid.UUID:
    return uuid.uuid4()


def attrs(**overrides: Any) -> dict[str, Any]:
    return overrides
