"""The server's badge keys: one signing key, and every public key still trusted."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from badge import Keyring, SigningKey
from crm_core.config import Settings

DERIVED_KEY_ID = "k1"


def _derive(secret: str, key_id: str) -> SigningKey:
    # Deterministic, so badges survive restarts without a second secret to manage; a
    # deployment that wants rotation sets RELAIS_BADGE_SIGNING_KEY explicitly.
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"relais-badge-signing",
        info=f"ed25519:{key_id}".encode(),
    ).derive(secret.encode())
    return SigningKey(key_id=key_id, private_key=Ed25519PrivateKey.from_private_bytes(seed))


def signing_key(settings: Settings) -> SigningKey:
    if settings.badge_signing_key is not None:
        return SigningKey.from_text(settings.badge_signing_key.get_secret_value())
    return _derive(settings.secret_key.get_secret_value(), DERIVED_KEY_ID)


def keyring(settings: Settings) -> Keyring:
    current = signing_key(settings)
    extra = [k.strip() for k in settings.badge_verify_keys.split(",") if k.strip()]
    if not extra:
        return Keyring.of(current)
    return Keyring.of(current, *Keyring.from_text(extra).values())


def card_secret(settings: Settings) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"relais-card-uid", info=b"hmac"
    ).derive(settings.secret_key.get_secret_value().encode())
