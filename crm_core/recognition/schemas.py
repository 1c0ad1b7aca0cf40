"""Response and request shapes of search, duplicates and merges (for the OpenAPI page)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from crm_core.text import FreeText


class ReasonOut(BaseModel):
    field: str = Field(description="family_name, given_name, birth_name, birth_date, phone, "
                                   "email, reference or commune")
    match: str = Field(description="exact, phonetic, typo, prefix, initial, partial, "
                                   "ends_with, local_part, day_month_swapped...")
    score: float
    typed: str | None = None
    value: str | None = None
    source: str | None = Field(None, description="merged_record: a name of a merged record")


class SearchResultOut(BaseModel):
    resident_id: uuid.UUID
    given_name: str
    family_name: str
    birth_name: str | None
    birth_date: date | None
    city: str | None
    score: float
    reasons: list[ReasonOut]


class UnderstoodOut(BaseModel):
    names: list[str]
    birth_date: date | None
    phone_digits: str | None
    email: str | None
    references: list[str]
    ignored: list[str]


class SearchOut(BaseModel):
    results: list[SearchResultOut]
    more: bool
    understood: UnderstoodOut


class ComparisonOut(BaseModel):
    field: str
    level: str
    weight: float
    detail: str | None = None


class DuplicateOut(BaseModel):
    resident_ids: tuple[uuid.UUID, uuid.UUID]
    weight: float = Field(description="Fellegi-Sunter match weight (log2 of the odds)")
    probability: float
    decision: Literal["probable", "possible"]
    comparisons: list[ComparisonOut]
    residents: list[dict[str, Any]]
    confusable: bool = Field(False, description=(
        "A name mixes scripts (a Cyrillic а in a Latin name): it may pass for another "
        "person's; check the papers before merging"))


# Why a merge is made or undone, kept in the traces: the API's bodies and the command
# line's `--reason` read it with this one rule (same refusals, same French messages).
MergeReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3,
                                               max_length=200), FreeText]


class MergeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    survivor_id: uuid.UUID
    merged_id: uuid.UUID
    reason: MergeReason
    take_fields: list[Literal["birth_date", "birth_name", "address"]] = Field(
        default_factory=list,
        description="Identity fields copied from the merged record onto the survivor.",
    )


class UnmergeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: MergeReason


class MergeOut(BaseModel):
    id: uuid.UUID
    survivor_id: uuid.UUID
    merged_id: uuid.UUID
    merged_at: datetime
    merged_by_agent_id: uuid.UUID | None
    reason: str | None
    moved: dict[str, int]
    fields_taken: dict[str, Any] | None
    evidence: dict[str, Any] | None
    undone_at: datetime | None
    undone_by_agent_id: uuid.UUID | None
    undo_reason: str | None
