"""Relais badges: signed tokens shown as QR codes, contactless cards, counter printing.

A pure library (no database, no server import), used by the server (``crm_core.badges``)
and by the counter terminal. The hardware parts each sit behind a small interface with a
real and a fake backend: :mod:`badge.card` (PC/SC readers), :mod:`badge.printing`
(ESC/POS printers); :mod:`badge.scanner` reads what QR scanners type or cameras see.
"""

from badge.errors import (
    BadgeError,
    BadgeExpired,
    BadgeForged,
    BadgeMalformed,
    BadgeOtherIssuer,
    BadgeRevoked,
    BadgeUnknownKey,
    BadgeUnsupportedVersion,
    CardError,
    InvalidBadge,
    PrinterError,
    ScanError,
)
from badge.keys import KeyFormatError, Keyring, SigningKey, VerifyKey, generate_signing_key
from badge.token import (
    MAX_TOKEN_LENGTH,
    TOKEN_PREFIX,
    BadgeClaims,
    issue_token,
    new_badge_id,
    verify_token,
)

__all__ = [
    "MAX_TOKEN_LENGTH",
    "TOKEN_PREFIX",
    "BadgeClaims",
    "BadgeError",
    "BadgeExpired",
    "BadgeForged",
    "BadgeMalformed",
    "BadgeOtherIssuer",
    "BadgeRevoked",
    "BadgeUnknownKey",
    "BadgeUnsupportedVersion",
    "CardError",
    "InvalidBadge",
    "KeyFormatError",
    "Keyring",
    "PrinterError",
    "ScanError",
    "SigningKey",
    "VerifyKey",
    "generate_signing_key",
    "issue_token",
    "new_badge_id",
    "verify_token",
]
