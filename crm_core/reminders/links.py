"""Opt-out links that work without signing in: the subscription id and an HMAC of it,
keyed from the server secret, so a link cannot be forged or pointed at someone else."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crm_core.config import Settings

_MAC_BYTES = 16


def _key(settings: Settings) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"relais-reminder-optout",
                info=b"hmac").derive(settings.secret_key.get_secret_value().encode())


def opt_out_token(settings: Settings, subscription_id: uuid.UUID) -> str:
    mac = hmac.new(_key(settings), subscription_id.bytes, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(subscription_id.bytes + mac).decode().rstrip("=")


def read_opt_out_token(settings: Settings, token: str) -> uuid.UUID | None:
    """The subscription the token names, or None for anything forged or malformed."""
    if len(token) > 64:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    if len(raw) != 16 + _MAC_BYTES:
        return None
    expected = hmac.new(_key(settings), raw[:16], hashlib.sha256).digest()[:_MAC_BYTES]
    if not hmac.compare_digest(expected, raw[16:]):
        return None
    return uuid.UUID(bytes=raw[:16])
