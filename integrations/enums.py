from enum import StrEnum


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DELIVERED = "delivered"
    FAILED = "failed"  # retried past the retry window, or refused for good (4xx, SSRF guard)
    GONE = "gone"  # the receiver answered 410: it wants no more events


class ReviewReason(StrEnum):
    UNMATCHED = "unmatched"  # nobody matched: a new resident was created
    AMBIGUOUS = "ambiguous"  # several possible matches: a new resident was created


class LinkOutcome(StrEnum):
    LINKED = "linked"  # the subject was already linked
    PROPOSED = "proposed"  # a resident matches the verified identity: the person confirms
    CREATED = "created"  # a new resident
