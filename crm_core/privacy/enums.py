from enum import StrEnum


class AccessOperation(StrEnum):
    READ_SUMMARY = "read_summary"
    LOOKUP = "lookup"
    READ_CASE = "read_case"
    CREATE_RESIDENT = "create_resident"
    UPDATE_RESIDENT = "update_resident"
    ADD_CONTACT_POINT = "add_contact_point"
    LINK_ACCOUNT = "link_account"
    OPEN_CASE = "open_case"
    UPDATE_CASE = "update_case"
    RECORD_INTERACTION = "record_interaction"
    ISSUE_BADGE = "issue_badge"
    REVOKE_BADGE = "revoke_badge"
    BADGE_SCAN = "badge_scan"
    MERGE_RESIDENT = "merge_resident"
    UNMERGE_RESIDENT = "unmerge_resident"
    READ_CONSENTS = "read_consents"
    UPDATE_CONSENT = "update_consent"
    EXPORT_DATA = "export_data"
    ERASE_RESIDENT = "erase_resident"
    SEARCH = "search"  # one row per search, no resident: criterion kinds and result count
    READ_BADGES = "read_badges"
    READ_REMINDERS = "read_reminders"
    READ_CALL = "read_call"  # a call or a call-back, by id
    READ_QUEUE = "read_queue"  # a ticket of the resident in the queue list (once a day)


class ConsentPurpose(StrEnum):
    """What a resident may say yes or no to. No answer means no (opt-in)."""

    CONTACT_PHONE = "contact_phone"
    CONTACT_EMAIL = "contact_email"
    CONTACT_SMS = "contact_sms"
    CONTACT_POST = "contact_post"
    REMINDERS = "reminders"
    ACCOUNT_PROFILE_AT_COUNTER = "account_profile_at_counter"


class ConsentSource(StrEnum):
    RESIDENT = "resident"  # the resident, in their own space or an opt-out link
    AGENT = "agent"  # an agent, on the resident's behalf and at their request
