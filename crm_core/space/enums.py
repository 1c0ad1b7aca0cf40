from enum import StrEnum


class PrivacyRequestKind(StrEnum):
    """A right the resident exercises from their space (GDPR art. 16 and 17)."""

    RECTIFICATION = "rectification"
    ERASURE = "erasure"


class PrivacyRequestStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    REFUSED = "refused"  # with the reason (a public-task exception, for instance)
