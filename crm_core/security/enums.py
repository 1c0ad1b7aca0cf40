from enum import StrEnum


class Bucket(StrEnum):
    """What a counter counts; its key says whose (a username, an agent, an address)."""

    SIGN_IN_FAILURE_USER = "sign_in_failure_user"
    SIGN_IN_FAILURE_ADDRESS = "sign_in_failure_address"
    LOOKUP_MISS = "lookup_miss"
    DS_HINT = "ds_hint"
    OPEN311_POST = "open311_post"


class EventKind(StrEnum):
    SIGN_IN_LOCKED = "sign_in_locked"
    LOOKUP_SCAN = "lookup_scan"
    INBOUND_FLOOD = "inbound_flood"
    AGENT_CHANGED = "agent_changed"  # an account, role, site, extension or password: by whom
