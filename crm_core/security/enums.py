from enum import StrEnum


class Bucket(StrEnum):
    """What a counter counts; its key says whose (a username, an agent, an address)."""

    SIGN_IN_FAILURE_USER = "sign_in_failure_user"
    SIGN_IN_FAILURE_ADDRESS = "sign_in_failure_address"
    LOOKUP_MISS = "lookup_miss"
    DS_HINT = "ds_hint"
    OPEN311_POST = "open311_post"
    SIGN_IN_FAILURE_PAIR = "sign_in_failure_pair"  # one username from one address
    FIND = "find"  # every way of finding a person, per agent


class EventKind(StrEnum):
    SIGN_IN_LOCKED = "sign_in_locked"
    LOOKUP_SCAN = "lookup_scan"
    INBOUND_FLOOD = "inbound_flood"
    AGENT_CHANGED = "agent_changed"  # an account, role, site, extension or password: by whom
    FIND_RATE = "find_rate"  # an agent finding people faster than the desk allows
