from enum import StrEnum


class CallEventKind(StrEnum):
    """The three events of Zammad's generic CTI interface, spelled as PBXs send them."""

    NEW_CALL = "newCall"
    ANSWER = "answer"
    HANGUP = "hangup"


class CallDirection(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class CallStatus(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"  # in conversation
    COMPLETED = "completed"  # answered, then hung up
    ABANDONED = "abandoned"  # inbound, hung up before anyone answered
    NOT_ANSWERED = "not_answered"  # outbound, the resident did not pick up


class RemoteKind(StrEnum):
    """What the other party's number turned out to be."""

    NUMBER = "number"  # a valid public number, normalised to E.164
    ANONYMOUS = "anonymous"  # caller id withheld
    INTERNAL = "internal"  # a short internal number (another extension)
    INVALID = "invalid"  # garbage: kept raw, never matched


class MatchKind(StrEnum):
    RESIDENT = "resident"  # exactly one active resident has this number
    CANDIDATES = "candidates"  # several (families share a landline): the agent chooses
    UNKNOWN = "unknown"  # a valid number nobody has
    NONE = "none"  # nothing to look up (anonymous, internal, invalid)


class CallbackStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"
