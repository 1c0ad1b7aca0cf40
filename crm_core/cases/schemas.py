from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from crm_core.bounds import Instant
from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.channels import Channel
from crm_core.text import FreeText, IdempotencyKey, SingleLine

Text = Annotated[str, StringConstraints(max_length=5000), FreeText]


class ServiceOut(BaseModel):
    code: str
    label: str
    announced_delay_days: int


class ServiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,49}$")]
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
                     SingleLine]
    announced_delay_days: Annotated[int, "days"]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resident_id: uuid.UUID
    service_code: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    channel: Channel | None = None
    kind: CaseKind = CaseKind.REQUEST
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                       SingleLine]
    description: Text | None = None
    # Shown with the case: one visible line, like every label an agent types.
    external_system: Annotated[str, StringConstraints(max_length=50), SingleLine] | None = None
    external_id: Annotated[str, StringConstraints(max_length=255), SingleLine] | None = None
    # Most cases are opened during an exchange: log it on the timeline unless told not to.
    record_interaction: bool = True
    # A retry with the same key returns the case opened the first time.
    idempotency_key: IdempotencyKey | None = None
    # When the resident asked, if recorded later (a counter that was offline): ≤ 30 days.
    opened_at: Instant | None = None


class CaseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: CaseStatus | None = None
    channel: Channel | None = None
    note: Text | None = None


class StatusChangeOut(BaseModel):
    from_status: CaseStatus | None
    to_status: CaseStatus
    channel: Channel
    changed_at: datetime
    note: str | None


class CaseOut(BaseModel):
    id: uuid.UUID
    reference: str
    display_reference: str
    resident_id: uuid.UUID
    service_code: str
    service_label: str
    kind: CaseKind
    status: CaseStatus
    allowed_transitions: list[CaseStatus]
    origin_channel: Channel
    subject: str
    description: str | None
    external_system: str | None
    external_id: str | None
    opened_at: datetime
    due_date: date | None
    resolved_at: datetime | None
    closed_at: datetime | None
    history: list[StatusChangeOut]
