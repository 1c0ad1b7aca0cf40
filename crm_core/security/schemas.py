from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from crm_core.security.enums import EventKind


class SecurityEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    occurred_at: datetime
    kind: EventKind
    subject: str
    agent_id: uuid.UUID | None
    site_id: uuid.UUID | None
    detail: str
