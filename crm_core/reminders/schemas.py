from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from crm_core.channels import Channel
from crm_core.privacy.enums import ConsentSource
from crm_core.reminders.enums import ReminderChannel
from crm_core.text import FreeText, SingleLine

Code = Annotated[
    str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
                  SingleLine]


class BundleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code
    label: Label
    description: Annotated[str, StringConstraints(max_length=2000), FreeText] | None = None


class DateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    occurs_on: date
    title: Label
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=600), FreeText]
    days_before: int = Field(default=1, ge=0, le=60)


class DateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    occurs_on: date
    title: str
    message: str
    days_before: int


class BundleOut(BaseModel):
    code: str
    label: str
    description: str | None
    upcoming: list[DateOut]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bundle: Code
    channel: ReminderChannel
    # How the resident asked (by phone, at the counter...): kept with their consent.
    via: Channel | None = None


class SubscriptionOut(BaseModel):
    id: uuid.UUID
    bundle: str
    bundle_label: str
    channel: ReminderChannel
    subscribed_at: datetime
    subscribed_by: ConsentSource
    unsubscribed_at: datetime | None
