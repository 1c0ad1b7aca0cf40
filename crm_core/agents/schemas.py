from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from crm_core.agents.enums import RequestStatus, Role, SiteKind
from crm_core.agents.extensions import PhoneExtension
from crm_core.text import SingleLine

# An agent's name as colleagues and (if the city chooses) residents read it: one line.
DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), SingleLine]


# An agent's username, the same at every way in (the API, `relais agent add`).
USERNAME_PATTERN = r"^[A-Za-z0-9._-]{2,64}$"


def username_problem(username: str) -> str | None:
    """Why `username` is no agent username, in French, or None."""
    if re.fullmatch(USERNAME_PATTERN, username, flags=re.ASCII) is None:
        return ("format invalide (2 à 64 lettres sans accent, chiffres, points, tirets ou"
                " soulignés)")
    return None


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    role: Role
    display_name: str
    site_code: str | None
    # True: someone else set the password; this session may only change it (or sign out).
    password_change_required: bool = False


class SiteOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    kind: SiteKind
    insee_code: str | None


class SiteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,31}$")]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
                    SingleLine]
    kind: SiteKind
    insee_code: Annotated[str, StringConstraints(pattern=r"^(\d{5}|2[AB]\d{3})$")] | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200),
                       SingleLine] | None = None


class AgentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, StringConstraints(pattern=USERNAME_PATTERN)]
    display_name: DisplayName
    role: Role  # no password: the agent sets it with an activation code
    site_code: str | None = None
    phone_extension: PhoneExtension | None = None


class PasswordChange(BaseModel):
    """The lengths are checked by the password rules, which say what is wrong in French."""

    model_config = ConfigDict(extra="forbid")
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    new_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class AgentUpdate(BaseModel):
    """Only the fields given change; `site_code: null` means every site."""

    model_config = ConfigDict(extra="forbid")
    display_name: DisplayName | None = None
    role: Role | None = None
    site_code: str | None = None
    phone_extension: PhoneExtension | None = None
    active: bool | None = None


class Activation(BaseModel):
    """An agent sets their password with the one-time code handed to them."""

    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    code: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    new_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Handed(BaseModel):
    """A one-time activation code, in the one answer that issued it (never again): for
    the agent concerned, who sets their password with it before `activation_expires_at`."""

    activation_code: str | None = None
    activation_expires_at: datetime | None = None


class AgentOut(Handed):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    site_id: uuid.UUID | None
    phone_extension: str | None
    active: bool
    # A change that grants residents' data, waiting for a supervisor's approval.
    pending_request_id: uuid.UUID | None = None


class AgentRequestOut(Handed):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    agent_id: uuid.UUID
    requested_at: datetime
    author: str
    role: Role
    site_id: uuid.UUID | None
    summary: str
    status: RequestStatus
    decided_at: datetime | None
    decided_by_id: uuid.UUID | None


class MeOut(BaseModel):
    agent_id: uuid.UUID | None
    username: str
    role: Role | None
    site_id: uuid.UUID | None
    permissions: list[str]
    display_name: str
    phone_extension: str | None
    timezone: str  # the city's IANA zone (`RELAIS_TIMEZONE`), e.g. "America/Cayenne"
