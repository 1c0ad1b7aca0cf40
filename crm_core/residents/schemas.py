from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
)

from crm_core.bounds import check_birth_date
from crm_core.channels import Channel
from crm_core.residents.accounts import AccountProvider, AccountSubject
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.text import SingleLine, check_name

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                 AfterValidator(check_name)]
# "Portable", "Travail": a word or two an agent types beside a number or an address.
ContactLabel = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50), SingleLine]
InseeCode = Annotated[str, StringConstraints(pattern=r"^(\d{5}|2[AB]\d{3})$")]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PhoneIn(StrictModel):
    number: Annotated[str, StringConstraints(max_length=40)]
    label: ContactLabel | None = None
    contact_allowed: StrictBool = False  # a consent: true or false, never "yes"


class EmailIn(StrictModel):
    address: Annotated[str, StringConstraints(max_length=320)]
    label: ContactLabel | None = None
    contact_allowed: StrictBool = False  # a consent: true or false, never "yes"


_check_birth_date = check_birth_date  # shared with the platforms' events (crm_core.bounds)


class ResidentCreate(StrictModel):
    given_name: Name
    family_name: Name
    birth_name: Name | None = None
    birth_date: date | None = None
    address_line: Annotated[str, StringConstraints(max_length=200), SingleLine] | None = None
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}$")] | None = None
    city: Annotated[str, StringConstraints(max_length=100), SingleLine] | None = None
    insee_code: InseeCode | None = None
    phones: list[Annotated[str, StringConstraints(max_length=40)] | PhoneIn] = Field(
        default_factory=list, max_length=10
    )
    emails: list[Annotated[str, StringConstraints(max_length=320)] | EmailIn] = Field(
        default_factory=list, max_length=10
    )
    channel: Channel | None = None

    _birth = field_validator("birth_date")(_check_birth_date)


class ResidentUpdate(StrictModel):
    given_name: Name | None = None
    family_name: Name | None = None
    birth_name: Name | None = None
    birth_date: date | None = None
    address_line: Annotated[str, StringConstraints(max_length=200), SingleLine] | None = None
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}$")] | None = None
    city: Annotated[str, StringConstraints(max_length=100), SingleLine] | None = None
    insee_code: InseeCode | None = None

    _birth = field_validator("birth_date")(_check_birth_date)


class ContactPointCreate(StrictModel):
    kind: ContactKind
    value: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    label: ContactLabel | None = None
    contact_allowed: StrictBool = False  # a consent: true or false, never "yes"
    verified: StrictBool = False
    channel: Channel | None = None


class ContactPointUpdate(StrictModel):
    """What the resident may change about one contact point: "may we contact you here"."""

    contact_allowed: StrictBool | None = None
    label: ContactLabel | None = None
    channel: Channel | None = None


class AccountLinkCreate(StrictModel):
    provider: AccountProvider
    subject: AccountSubject
    channel: Channel | None = None


class ResidentOut(BaseModel):
    id: uuid.UUID
    given_name: str
    family_name: str
    birth_name: str | None
    birth_date: date | None
    address_line: str | None
    postal_code: str | None
    city: str | None
    insee_code: str | None
    status: ResidentStatus
    created_at: datetime


class ContactPointOut(BaseModel):
    id: uuid.UUID
    kind: ContactKind
    value: str
    display: str
    label: str | None
    verified: bool
    # The point kept for contact (never a consent on its own: see docs/consent.md).
    contact_allowed: bool
    # The effective answer: how the mairie may contact the resident here ("call", "sms",
    # "email", "post"): the point kept and the resident's consent for that way.
    contact_ways: list[str]


class AccountLinkOut(BaseModel):
    id: uuid.UUID
    provider: str
    subject: str
    created_at: datetime
    source_channel: Channel | None = None
    created_by_agent_id: uuid.UUID | None = None


class OpenCaseOut(BaseModel):
    reference: str
    display_reference: str
    status: str
    kind: str
    origin_channel: str
    service_code: str
    service_label: str
    subject: str
    opened_at: datetime
    due_date: date | None
    overdue: bool
    external_system: str | None
    external_id: str | None


class TimelineEntryOut(BaseModel):
    id: uuid.UUID
    channel: str
    direction: str
    outcome: str
    note: str | None
    occurred_at: datetime
    case_reference: str | None
    agent: str | None
    site: str | None


class BadgeStatusOut(BaseModel):
    id: str
    kind: str
    status: str
    expires_at: datetime
    confirmed: bool


class ResidentSummary(BaseModel):
    resident: ResidentOut
    contact_points: list[ContactPointOut]
    open_cases: list[OpenCaseOut]
    recent_interactions: list[TimelineEntryOut]
    badges: list[BadgeStatusOut]
    flags: list[str]
    merged_from: uuid.UUID | None = None
