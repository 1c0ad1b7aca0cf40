from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from crm_core.bounds import Instant
from crm_core.channels import Channel
from crm_core.interactions.enums import Direction, Outcome
from crm_core.text import FreeText, IdempotencyKey


class InteractionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resident_id: uuid.UUID
    case_reference: Annotated[str, StringConstraints(max_length=40)] | None = None
    channel: Channel | None = None
    direction: Direction = Direction.INBOUND
    outcome: Outcome
    note: Annotated[str, StringConstraints(max_length=5000), FreeText] | None = None
    occurred_at: Instant | None = None
    ended_at: Instant | None = None
    idempotency_key: IdempotencyKey | None = None


class InteractionOut(BaseModel):
    id: uuid.UUID
    resident_id: uuid.UUID
    case_reference: str | None
    channel: Channel
    direction: Direction
    outcome: Outcome
    note: str | None
    occurred_at: datetime
    ended_at: datetime | None
    agent_id: uuid.UUID | None
    site_id: uuid.UUID | None
