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
