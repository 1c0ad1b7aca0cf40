from enum import StrEnum


class ResidentStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"
    ERASED = "erased"


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    POSTAL = "postal"
