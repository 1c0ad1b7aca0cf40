"""Badge tokens: an opaque random id, an expiry and a key id, signed with Ed25519.

Text form (version 1), everything in the QR *alphanumeric* character set so the code stays
small (Base45, RFC 9285, as the EU Digital COVID Certificate does)::

    RL1:<base45(payload || signature)>

    payload   = issuer_len (1 byte) || issuer (ASCII, 1-9: an INSEE code or a SIREN)
              || key_id_len (1 byte) || key_id (ASCII, 1-7)
              || expires_at (4 bytes, big-endian Unix seconds, UTC)
              || badge_id (16 random bytes)
    signature = Ed25519 over b"RL1:" || payload

Nothing personal is inside: whoever photographs the code learns the issuing city and the
expiry, and an id that only the issuing server can map to a person. Signing the prefix
binds the signature to the format version, and the fixed algorithm (Ed25519 in v1, no
algorithm field) leaves nothing to negotiate.

Size: with a 5-character issuer (an INSEE code) and a 2-character key id, a token is 144
characters. An Ed25519 signature (64 bytes) plus a 128-bit id alone take 120 Base45
characters, so "under 120" cannot be met without weakening one of them. The field limits
are set so that the longest token (157 characters) still fits a version 8 QR code at
error-correction level Q (49x49 modules, 157 alphanumeric characters): every badge has
the same, predictable QR size.

Verification order: length, prefix/version, Base45, structure, issuer, key id, signature,
expiry. Issuer and key id are read before the signature only to choose the key or to
refuse; no claim is *accepted* (badge id, expiry) until the signature has verified.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from badge.b45 import b45decode, b45encode
from badge.errors import (
    BadgeExpired,
    BadgeForged,
    BadgeMalformed,
    BadgeOtherIssuer,
    BadgeUnknownKey,
    BadgeUnsupportedVersion,
)

if TYPE_CHECKING:  # only annotations: the scanner parses tokens without cryptography
    from badge.keys import Keyring, SigningKey

__all__ = [
    "BADGE_ID_BYTES",
    "ISSUER_PATTERN",
    "MAX_TOKEN_LENGTH",
    "TOKEN_PREFIX",
    "BadgeClaims",
    "expected_token_length",
    "issue_token",
    "new_badge_id",
    "verify_token",
]

TOKEN_PREFIX = "RL1:"  # noqa: S105 - the format tag, not a secret
_PREFIX_BYTES = TOKEN_PREFIX.encode("ascii")
BADGE_ID_BYTES = 16
SIGNATURE_BYTES = 64
MAX_ISSUER_BYTES = 9
MAX_KEY_ID_BYTES = 7
# issuer / key id: variable; expiry 4 + badge id 16 + signature 64 + two length bytes.
_FIXED_BYTES = 2 + 4 + BADGE_ID_BYTES + SIGNATURE_BYTES

# Uppercase only: one spelling per city, since issuers are compared exactly.
ISSUER_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,8}")
_KEY_ID_BYTES = re.compile(rb"[A-Za-z0-9._-]{1,7}")
_ISSUER_BYTES = re.compile(rb"[A-Z0-9][A-Z0-9._-]{0,8}")
_OTHER_VERSION = re.compile(r"RL[0-9]{1,3}:")
_MAX_EXPIRY = 2**32 - 1


def _b45_length(n_bytes: int) -> int:
    return 3 * (n_bytes // 2) + 2 * (n_bytes % 2)


# Longest possible token: both variable fields at their maximum.
MAX_TOKEN_LENGTH = len(TOKEN_PREFIX) + _b45_length(
    _FIXED_BYTES + MAX_ISSUER_BYTES + MAX_KEY_ID_BYTES
)


@dataclass(frozen=True, slots=True)
class BadgeClaims:
    """What a verified token says. Only returned after the signature has checked out."""

    badge_id: bytes
    issuer: str
    key_id: str
    expires_at: datetime

    @property
    def badge_id_hex(self) -> str:
        return self.badge_id.hex()


def new_badge_id() -> bytes:
    """A fresh opaque badge id: 128 random bits from the OS CSPRNG."""
    return secrets.token_bytes(BADGE_ID_BYTES)


def _check_issuer(issuer: str) -> bytes:
    if not ISSUER_PATTERN.fullmatch(issuer):
        raise ValueError(
            f"invalid issuer {issuer!r}: 1 to 9 characters among A-Z 0-9 . _ - "
            "(e.g. the INSEE code of the commune)"
        )
    return issuer.encode("ascii")


def issue_token(*, key: SigningKey, issuer: str, badge_id: bytes, expires_at: datetime) -> str:
    """Sign a new badge token (raises ``ValueError`` on invalid arguments)."""
    issuer_bytes = _check_issuer(issuer)
    key_id_bytes = key.key_id.encode("ascii")
    if len(badge_id) != BADGE_ID_BYTES:
        raise ValueError(f"badge_id must be {BADGE_ID_BYTES} bytes, got {len(badge_id)}")
    if expires_at.tzinfo is None or expires_at.utcoffset() is None:
        raise ValueError("expires_at must be timezone-aware")
    expiry = int(expires_at.timestamp())
    if not 0 < expiry <= _MAX_EXPIRY:
        raise ValueError("expires_at is out of range")
    payload = b"".join(
        (
            bytes((len(issuer_bytes),)),
            issuer_bytes,
            bytes((len(key_id_bytes),)),
            key_id_bytes,
            expiry.to_bytes(4, "big"),
            badge_id,
        )
    )
    signature = key.private_key.sign(_PREFIX_BYTES + payload)
    return TOKEN_PREFIX + b45encode(payload + signature)


def expected_token_length(text: str) -> int | None:
    """Exact length of the v1 token that ``text`` starts with, from its length bytes.

    Used to cut off characters a scanner appended after the token. ``None`` when ``text``
    does not start with enough of a v1 token to tell.
    """
    if not text.startswith(TOKEN_PREFIX):
        return None
    body = text[len(TOKEN_PREFIX) :]
    head = _decode_prefix(body, n_bytes=2)
    if head is None or not 1 <= head[0] <= MAX_ISSUER_BYTES:
        return None
    issuer_len = head[0]
    head = _decode_prefix(body, n_bytes=issuer_len + 2)
    if head is None or not 1 <= head[issuer_len + 1] <= MAX_KEY_ID_BYTES:
        return None
    total = _FIXED_BYTES + issuer_len + head[issuer_len + 1]
    return len(TOKEN_PREFIX) + _b45_length(total)


def _decode_prefix(body: str, *, n_bytes: int) -> bytes | None:
    """Decode just enough Base45 characters to get ``n_bytes`` (rounded up to even)."""
    n_chars = 3 * ((n_bytes + 1) // 2)
    chunk = body[:n_chars]
    if len(chunk) < n_chars:
        return None
    try:
        return b45decode(chunk)
    except ValueError:
        return None


def _decode(text: str) -> bytes:
    if not isinstance(text, str):
        raise BadgeMalformed(detail="token is not a string")
    # Cheap length check first: nothing longer than the longest token is ever decoded.
    if len(text) > MAX_TOKEN_LENGTH:
        raise BadgeMalformed(detail=f"too long ({len(text)} characters)")
    if not text.startswith(TOKEN_PREFIX):
        if _OTHER_VERSION.match(text):
            raise BadgeUnsupportedVersion(detail=f"prefix {text.split(':', 1)[0]!r}")
        raise BadgeMalformed(detail="missing RL1: prefix")
    try:
        return b45decode(text[len(TOKEN_PREFIX) :])
    except ValueError as exc:
        raise BadgeMalformed(detail=f"invalid Base45: {exc}") from None


def verify_token(text: str, *, keyring: Keyring, issuer: str, now: datetime) -> BadgeClaims:
    """Check a token and return its claims, or raise an :class:`~badge.errors.InvalidBadge`.

    ``issuer`` is this city's identifier; ``now`` must be timezone-aware (passed in so that
    tests and replays are deterministic). Revocation is the caller's job (the server).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    raw = _decode(text)
    size = len(raw)
    if size < _FIXED_BYTES + 2:
        raise BadgeMalformed(detail="truncated")
    issuer_len = raw[0]
    key_pos = 1 + issuer_len
    if not 1 <= issuer_len <= MAX_ISSUER_BYTES or key_pos >= size:
        raise BadgeMalformed(detail="bad issuer length")
    key_len = raw[key_pos]
    if not 1 <= key_len <= MAX_KEY_ID_BYTES:
        raise BadgeMalformed(detail="bad key id length")
    if size != _FIXED_BYTES + issuer_len + key_len:
        raise BadgeMalformed(detail="truncated or padded")
    issuer_bytes = raw[1:key_pos]
    key_id_bytes = raw[key_pos + 1 : key_pos + 1 + key_len]
    if not _ISSUER_BYTES.fullmatch(issuer_bytes) or not _KEY_ID_BYTES.fullmatch(key_id_bytes):
        raise BadgeMalformed(detail="bad issuer or key id characters")

    token_issuer = issuer_bytes.decode("ascii")
    if token_issuer != issuer:
        raise BadgeOtherIssuer(issuer=token_issuer)
    key_id = key_id_bytes.decode("ascii")
    verify_key = keyring.by_id.get(key_id)
    if verify_key is None:
        raise BadgeUnknownKey(detail=f"key id {key_id!r}")

    signed_end = size - SIGNATURE_BYTES
    if not verify_key.verify(raw[signed_end:], _PREFIX_BYTES + raw[:signed_end]):
        raise BadgeForged(detail=f"bad signature for key id {key_id!r}")

    # From here on the content is authentic.
    expiry_pos = key_pos + 1 + key_len
    expires_at = datetime.fromtimestamp(
        int.from_bytes(raw[expiry_pos : expiry_pos + 4], "big"), tz=UTC
    )
    if now >= expires_at:
        raise BadgeExpired(expires_at=expires_at)
    return BadgeClaims(
        badge_id=raw[expiry_pos + 4 : signed_end],
        issuer=token_issuer,
        key_id=key_id,
        expires_at=expires_at,
    )
