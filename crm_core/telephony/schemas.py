"""The neutral event schema (Zammad generic CTI field names) and what the API returns."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from crm_core.agents.extensions import PhoneExtension, extension_or_name
from crm_core.bounds import Instant
from crm_core.interactions.enums import Outcome
from crm_core.telephony.enums import (
    CallbackStatus,
    CallDirection,
    CallEventKind,
    CallStatus,
    MatchKind,
    RemoteKind,
)
from crm_core.text import FreeText, SingleLine

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
# An extension or a username: « 2 01 » or « ２０１ » ring the desk of extension 201.
ExtensionOrName = Annotated[Short, AfterValidator(extension_or_name)]


class CallEventIn(BaseModel):
    """One CTI event. Field names are Zammad's (`from`, `to`, `direction`, `callId`,
    `user[]`, `queue`, `cause`, `answeringNumber`) so a PBX set up for Zammad works as is.
    Relais adds two optional fields: `extension` (the agent's extension, when the PBX knows
    it) and `timestamp` (when it happened; by default, when the server received it).
    Extensions follow the agents' rule (`crm_core.agents.extensions`): `extension` must be
    one (a 422 in French otherwise); `user[]` and `answeringNumber` may be usernames."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    event: CallEventKind
    from_: Short = Field(default="", alias="from")
    to: Short = ""
    direction: CallDirection = CallDirection.INBOUND
    call_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=250)
    ] = Field(alias="callId")
    user: list[ExtensionOrName] = Field(default_factory=list, max_length=20)
    extension: PhoneExtension | None = None
    answering_number: ExtensionOrName | None = Field(default=None, alias="answeringNumber")
    queue: Short | None = None
    cause: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    timestamp: Instant | None = None

    @field_validator("user", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

    @field_validator("extension", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timestamp", mode="before")
    @classmethod
    def _epoch(cls, value: Any) -> Any:
        if isinstance(value, bool):  # an int to Python: `true` would be 1970, "too old"
            raise ValueError("horodatage illisible : nombre de secondes depuis 1970 ou date "
                             "ISO 8601 attendu")
        if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
            try:
                return datetime.fromtimestamp(float(value), UTC)
            except (OverflowError, OSError, ValueError) as exc:  # 1e20, nan, inf
                raise ValueError("horodatage hors des limites (1970 à 2999)") from exc
        return value

    def named_extensions(self) -> list[str]:
        """Everyone this event names: users, extension, answering number (deduplicated)."""
        names = [*self.user, self.extension or "", self.answering_number or ""]
        return list(dict.fromkeys(name for name in names if name))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class EventAccepted(BaseModel):
    call: uuid.UUID
    status: CallStatus
    duplicate: bool


class MatchOut(BaseModel):
    kind: MatchKind
    resident_id: uuid.UUID | None = None
    resident: dict[str, Any] | None = None
    candidates: list[dict[str, Any]] = Field(default_factory=list)


class CallOut(BaseModel):
    id: uuid.UUID
    pbx: str
    call_id: str
    direction: CallDirection
    status: CallStatus
    remote_raw: str
    remote_number: str | None
    remote_display: str
    remote_kind: RemoteKind
    queue: str | None
    extensions: list[str]
    answered_extension: str | None
    agent_id: uuid.UUID | None
    resident_id: uuid.UUID | None
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    hangup_cause: str | None
    interaction_id: uuid.UUID | None


class NewCaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service_code: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                       SingleLine]


class CallLogIn(BaseModel):
    """What the agent records once the call is over (or during it)."""

    model_config = ConfigDict(extra="forbid")
    resident_id: uuid.UUID
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000),
                      FreeText]
    outcome: Outcome
    case_reference: Annotated[str, StringConstraints(max_length=40)] | None = None
    new_case: NewCaseIn | None = None


class CallLogOut(BaseModel):
    call: CallOut
    interaction_id: uuid.UUID
    case_reference: str | None


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    due_at: Instant
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
                      FreeText]
    resident_id: uuid.UUID | None = None
    call: uuid.UUID | None = None
    assigned_to_me: bool = True
    # The resident, on the line, asks for this call-back though they refused calls.
    requested_by_resident: bool = False


class CallbackDoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000),
                   FreeText] | None = None
    cancelled: bool = False


class CallbackOut(BaseModel):
    id: uuid.UUID
    resident_id: uuid.UUID | None
    phone: str
    phone_display: str
    due_at: datetime
    reason: str
    status: CallbackStatus
    assigned_agent_id: uuid.UUID | None
    done_at: datetime | None
    outcome_note: str | None
    overdue: bool


class FigureRow(BaseModel):
    queue: str
    day: str
    hour: int
    offered: int | None  # None: suppressed (fewer than 5, or would reveal such a cell)
    answered: int | None
    abandoned: int | None
    in_progress: int | None
    answered_share: float | None
    mean_time_to_answer_s: float | None
    max_time_to_answer_s: float | None
    suppressed: list[str] = Field(default_factory=list)


class FiguresOut(BaseModel):
    start: str
    end: str
    timezone: str
    rows: list[FigureRow]
    totals: list[FigureRow]
