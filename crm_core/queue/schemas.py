from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from crm_core.queue.enums import TicketStatus

ServiceCode = Annotated[str, StringConstraints(min_length=1, max_length=50)]


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service_code: ServiceCode
    # Known when the ticket is taken with a badge at a kiosk: the counter opens the file.
    resident_id: uuid.UUID | None = None


class CallNext(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service_code: ServiceCode | None = None


class TicketServe(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resident_id: uuid.UUID | None = None


class TicketOut(BaseModel):
    id: uuid.UUID
    number: int
    display_number: str
    local_day: date
    service_code: str
    service_label: str
    resident_id: uuid.UUID | None
    status: TicketStatus
    issued_at: datetime
    called_at: datetime | None
    served_at: datetime | None
    wait_seconds: int | None
    service_seconds: int | None
