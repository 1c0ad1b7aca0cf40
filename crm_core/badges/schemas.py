from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from crm_core.badges.enums import BadgeKind, BadgeStatus
from crm_core.text import FreeText


class BadgeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: BadgeKind = BadgeKind.QR
    # The UID read from the card (hex, as the counter app reports it); only its keyed
    # hash is stored.
    card_uid: Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{8,20}$")] | None = None


class BadgeIssued(BaseModel):
    id: str
    kind: BadgeKind
    token: str | None
    expires_at: datetime


class BadgeRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(max_length=200), FreeText] | None = None


class BadgeOut(BaseModel):
    id: str
    resident_id: uuid.UUID
    kind: BadgeKind
    status: BadgeStatus
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
    confirmed: bool
    last_used_at: datetime | None
