from enum import StrEnum


class CaseStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_RESIDENT = "waiting_resident"
    RESOLVED = "resolved"
    CLOSED = "closed"


class CaseKind(StrEnum):
    REQUEST = "request"
    QUESTION = "question"
    COMPLAINT = "complaint"
    IDEA = "idea"
    PRAISE = "praise"


# Everything not closed is kept as open (a resolved case awaits closure: retention).
OPEN_STATUSES = frozenset(
    {CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_RESIDENT, CaseStatus.RESOLVED}
)
# What screens call "open cases" (summary, counter, phone desk): a resolved case is done.
ONGOING_STATUSES = OPEN_STATUSES - {CaseStatus.RESOLVED}
