"""What the server answers, as the apps read it: TypedDicts mirroring the API's response
models (field for field, in their JSON form: ids, dates and times are strings).

A field renamed or removed on the server fails mypy in the apps that read it, and
`tests/crm_core/client/test_types_match_server.py` fails when a TypedDict here no longer
has the keys of its model (the pairs are listed there). Nested parts the apps only pass
through (a case's history, a search's reasons) stay plain dictionaries.
"""

# No `from __future__ import annotations`: TypedDict reads NotRequired[...] only when the
# annotations are evaluated.
from typing import Any, NotRequired, TypedDict

# -- agents, sites, services ------------------------------------------------------------


class Me(TypedDict):
    agent_id: str | None
    username: str
    role: str | None
    site_id: str | None
    permissions: list[str]
    display_name: str
    phone_extension: str | None
    timezone: str  # the city's IANA zone: every date the apps show is in it


class Site(TypedDict):
    id: str
    code: str
    name: str
    kind: str
    insee_code: str | None


class Service(TypedDict):
    code: str
    label: str
    announced_delay_days: int


# -- residents --------------------------------------------------------------------------


class Resident(TypedDict):
    id: str
    given_name: str
    family_name: str
    birth_name: str | None
    birth_date: str | None
    address_line: str | None
    postal_code: str | None
    city: str | None
    insee_code: str | None
    status: str
    created_at: str


class ContactPoint(TypedDict):
    id: str
    kind: str
    value: str
    display: str
    label: str | None
    verified: bool
    contact_allowed: bool
    contact_ways: list[str]


class OpenCase(TypedDict):
    reference: str
    display_reference: str
    status: str
    kind: str
    origin_channel: str
    service_code: str
    service_label: str
    subject: str
    opened_at: str
    due_date: str | None
    overdue: bool
    external_system: str | None
    external_id: str | None


class TimelineEntry(TypedDict):
    id: str
    channel: str
    direction: str
    outcome: str
    note: str | None
    occurred_at: str
    case_reference: str | None
    agent: str | None
    site: str | None


class BadgeStatus(TypedDict):
    id: str
    kind: str
    status: str
    expires_at: str
    confirmed: bool


class MatchedBadge(TypedDict):
    id: str
    kind: str
    needs_confirmation: bool


class ResidentSummary(TypedDict):
    resident: Resident
    contact_points: list[ContactPoint]
    open_cases: list[OpenCase]
    recent_interactions: list[TimelineEntry]
    badges: list[BadgeStatus]
    flags: list[str]
    merged_from: str | None
    # Only in the answer to a badge or card lookup: the badge that found the resident.
    matched_badge: NotRequired[MatchedBadge]


class SearchResult(TypedDict):
    resident_id: str
    given_name: str
    family_name: str
    birth_name: str | None
    birth_date: str | None
    city: str | None
    score: float
    reasons: list[dict[str, Any]]


class SearchOutcome(TypedDict):
    results: list[SearchResult]
    more: bool
    understood: dict[str, Any]


class IssuedBadge(TypedDict):
    id: str
    kind: str
    token: str | None  # only for a QR badge, only in this answer: what gets printed
    expires_at: str


class Badge(TypedDict):
    id: str
    resident_id: str
    kind: str
    status: str
    issued_at: str
    expires_at: str
    revoked_at: str | None
    revoked_reason: str | None
    confirmed: bool
    last_used_at: str | None


# -- cases ------------------------------------------------------------------------------


class Case(TypedDict):
    id: str
    reference: str
    display_reference: str
    resident_id: str
    service_code: str
    service_label: str
    kind: str
    status: str
    allowed_transitions: list[str]
    origin_channel: str
    subject: str
    description: str | None
    external_system: str | None
    external_id: str | None
    opened_at: str
    due_date: str | None
    resolved_at: str | None
    closed_at: str | None
    history: list[dict[str, Any]]


class Interaction(TypedDict):
    id: str
    resident_id: str
    case_reference: str | None
    channel: str
    direction: str
    outcome: str
    note: str | None
    occurred_at: str
    ended_at: str | None
    agent_id: str | None
    site_id: str | None


# -- queue ------------------------------------------------------------------------------


class Ticket(TypedDict):
    id: str
    number: int
    display_number: str
    local_day: str
    service_code: str
    service_label: str
    resident_id: str | None
    status: str
    issued_at: str
    called_at: str | None
    served_at: str | None
    wait_seconds: int | None
    service_seconds: int | None


# -- telephony --------------------------------------------------------------------------


class Call(TypedDict):
    id: str
    pbx: str
    call_id: str
    direction: str
    status: str
    remote_raw: str
    remote_number: str | None
    remote_display: str
    remote_kind: str
    queue: str | None
    extensions: list[str]
    answered_extension: str | None
    agent_id: str | None
    resident_id: str | None
    started_at: str
    answered_at: str | None
    ended_at: str | None
    hangup_cause: str | None
    interaction_id: str | None


class CallLog(TypedDict):
    call: Call
    interaction_id: str
    case_reference: str | None


class Callback(TypedDict):
    id: str
    resident_id: str | None
    phone: str
    phone_display: str
    due_at: str
    reason: str
    status: str
    assigned_agent_id: str | None
    done_at: str | None
    outcome_note: str | None
    overdue: bool
