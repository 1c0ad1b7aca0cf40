from enum import StrEnum


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Outcome(StrEnum):
    """How an exchange ended, as an agent records it."""

    INFORMED = "informed"
    CASE_OPENED = "case_opened"
    CASE_UPDATED = "case_updated"
    DOCUMENTS_RECEIVED = "documents_received"
    RESOLVED = "resolved"
    REDIRECTED = "redirected"
    CALLBACK_SCHEDULED = "callback_scheduled"
    NO_ANSWER = "no_answer"
    SUBMITTED_ONLINE = "submitted_online"
    OTHER = "other"
