"""Relais badges: signed tokens shown as QR codes, contactless cards, counter printing.

A pure library (no database, no server import), used by the server (``crm_core.badges``)
and by the counter terminal. The hardware parts each sit behind a small interface with a
real and a fake backend: :mod:`badge.card` (PC/SC readers), :mod:`badge.printing`
(ESC/POS printers); :mod:`badge.scanner` reads what QR scanners type or cameras see.
"""

from typing import TYPE_CHECKING, Any

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

# Keys and tokens load cryptography and libsodium: imported on first use, so that the
# counter app, which neither signs nor verifies, starts without them.
_LAZY = {
    **dict.fromkeys(("KeyFormatError", "Keyring", "SigningKey", "VerifyKey",
                     "generate_signing_key"), "badge.keys"),
    **dict.fromkeys(("MAX_TOKEN_LENGTH", "TOKEN_PREFIX", "BadgeClaims", "issue_token",
                     "new_badge_id", "verify_token"), "badge.token"),
}

if TYPE_CHECKING:
    from badge.keys import KeyFormatError, Keyring, SigningKey, VerifyKey, generate_signing_key
    from badge.token import (
        MAX_TOKEN_LENGTH,
        TOKEN_PREFIX,
        BadgeClaims,
        issue_token,
        new_badge_id,
        verify_token,
    )


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'badge' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
