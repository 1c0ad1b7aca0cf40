from enum import StrEnum


class BadgeKind(StrEnum):
    QR = "qr"
    CARD = "card"


class BadgeStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
