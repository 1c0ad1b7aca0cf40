from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StrictBool, StringConstraints

from crm_core.channels import Channel
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.text import FreeText


class ConsentUpdate(BaseModel):
    """An agent records the resident's answer, at the resident's request."""

    model_config = ConfigDict(extra="forbid")

    granted: StrictBool  # JSON true or false: "yes", "1" or "on" are not an answer
    channel: Channel | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200),
                   FreeText] | None = None


class ConsentOut(BaseModel):
    purpose: ConsentPurpose
    label: str
    granted: bool
    changed_at: datetime | None
    source: ConsentSource | None
    channel: Channel | None


class ConsentChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    purpose: ConsentPurpose
    granted: bool
    changed_at: datetime
    source: ConsentSource
    channel: Channel | None
    agent_id: uuid.UUID | None
    note: str | None


class ConsentsOut(BaseModel):
    consents: list[ConsentOut]
    history: list[ConsentChangeOut]


class ErasureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200),
                      FreeText]
