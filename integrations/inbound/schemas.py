"""The generic inbound event (Standard Webhooks envelope `type`, `timestamp`, `data`)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from crm_core.bounds import BirthDate, ReportedInstant
from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.config import settings_for_validators
from crm_core.exceptions import InvalidInput
from crm_core.residents.accounts import AccountProvider, AccountSubject
from crm_core.residents.contacts import normalize_email, normalize_phone
from crm_core.text import FreeText, SingleLine, check_name

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PersonName = Annotated[Short, AfterValidator(check_name)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")  # platforms add fields; we take what we know


class EventAccount(_Model):
    provider: AccountProvider | None = None
    subject: AccountSubject


class EventResident(_Model):
    account: EventAccount | None = None
    given_name: PersonName
    family_name: PersonName
    birth_name: PersonName | None = None
    birth_date: BirthDate | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None

    # Refused here, field named, rather than dropped further down with a 200 « created »
    # (issue 20, fourth outside test: an e-mail holding U+200B vanished). Invisible
    # format marks a copy and paste brings along are cleaned first, not held against it.
    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        cleaned = _without_format_marks(value)
        if cleaned:
            try:
                normalize_email(cleaned)
            except InvalidInput as exc:
                raise ValueError("adresse e-mail invalide") from exc
        return cleaned or None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        cleaned = _without_format_marks(value)
        if cleaned:
            try:
                normalize_phone(cleaned, region=settings_for_validators().default_phone_region)
            except InvalidInput as exc:
                raise ValueError("numéro de téléphone invalide") from exc
        return cleaned or None


def _without_format_marks(value: str | None) -> str | None:
    """« ana\u200b@x.fr » -> « ana@x.fr »: zero-width spaces, joiners, BOM… removed."""
    if value is None:
        return None
    return "".join(c for c in value if unicodedata.category(c) != "Cf").strip()


class CaseEventData(_Model):
    # The case's external_id: one visible line, as the API asks of agents.
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
                  SingleLine]
    service: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = None
    kind: CaseKind = CaseKind.REQUEST
    # The case's own rules (`CaseCreate`), checked here: refused as a malformed event at
    # the parse step, not as a 500 deep in the service (and again at every retry).
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=200), SingleLine] | None = None
    description: Annotated[str, StringConstraints(max_length=5000), FreeText] | None = None
    status: CaseStatus | None = None
    note: Annotated[str, StringConstraints(max_length=5000), FreeText] | None = None
    updated_at: ReportedInstant | None = None
    resident: EventResident


class CaseEvent(_Model):
    type: Literal["case.submitted", "case.updated"]
    timestamp: ReportedInstant
    data: CaseEventData


class IngestResult(BaseModel):
    # unchanged: an update with nothing we follow (a platform's intermediate step)
    status: Literal["created", "updated", "unchanged", "duplicate", "stale", "accepted"]
    case_reference: str | None = None
    resident_id: str | None = None
    resident_match: str | None = None  # account, recognition, created
    review: str | None = None
    received_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
