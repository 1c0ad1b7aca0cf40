"""Ed25519 keys for badge tokens: generation, text/PEM round trips, keyring for rotation.

Keys are identified by a short ``key_id`` carried in every token, so the verifier can pick
the right public key and several keys can be trusted at once during a rotation (issue with
the new key, keep verifying the old one until its badges have expired, then drop it).

The one-line text forms are meant for settings / environment variables::

    ed25519-sk:<key_id>:<base64url of the 32-byte private seed>   (secret!)
    ed25519-pk:<key_id>:<base64url of the 32-byte public key>

The prefixes differ on purpose: a public key pasted where a secret is expected (or the
reverse) is refused instead of silently producing a different key.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey as _SodiumVerifyKey

__all__ = [
    "KEY_ID_PATTERN",
    "KeyFormatError",
    "Keyring",
    "SigningKey",
    "VerifyKey",
    "generate_signing_key",
]

# Short on purpose: the key id is inside every token and every QR code (e.g. "2025-01").
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,7}")

_SECRET_PREFIX = "ed25519-sk"  # noqa: S105 - a format tag, not a secret
_PUBLIC_PREFIX = "ed25519-pk"


class KeyFormatError(ValueError):
    """A key text/PEM could not be loaded (configuration error, English message)."""


def _check_key_id(key_id: str) -> str:
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise KeyFormatError(
            f"invalid key id {key_id!r}: 1 to 7 characters among A-Z a-z 0-9 . _ -"
        )
    return key_id


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise KeyFormatError("key material is not valid base64url") from exc


def _split_text(text: str, prefix: str) -> tuple[str, bytes]:
    parts = text.strip().split(":")
    if len(parts) != 3 or parts[0] != prefix:
        other = _PUBLIC_PREFIX if prefix == _SECRET_PREFIX else _SECRET_PREFIX
        hint = f" (this looks like a {other!r} key)" if parts[0] == other else ""
        raise KeyFormatError(f"expected '{prefix}:<key_id>:<base64url>'{hint}")
    raw = _b64decode(parts[2])
    if len(raw) != 32:
        raise KeyFormatError(f"an Ed25519 key is 32 bytes, got {len(raw)}")
    return _check_key_id(parts[1]), raw


@dataclass(frozen=True)
class VerifyKey:
    """A public key that verifies badge tokens carrying ``key_id``."""

    key_id: str
    public_key: Ed25519PublicKey = field(repr=False)

    def __post_init__(self) -> None:
        _check_key_id(self.key_id)
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_sodium", _SodiumVerifyKey(raw))

    def raw(self) -> bytes:
        raw: bytes = self.__dict__["_raw"]
        return raw

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Whether `signature` is this key's Ed25519 signature of `message`.

        libsodium (PyNaCl) rather than OpenSSL: the same RFC 8032 check, about twice as
        fast here, and strict about non-canonical signatures."""
        sodium: _SodiumVerifyKey = self.__dict__["_sodium"]
        try:
            sodium.verify(message, signature)
        except BadSignatureError:
            return False
        return True

    def to_text(self) -> str:
        return f"{_PUBLIC_PREFIX}:{self.key_id}:{_b64encode(self.raw())}"

    @classmethod
    def from_text(cls, text: str) -> VerifyKey:
        key_id, raw = _split_text(text, _PUBLIC_PREFIX)
        return cls(key_id=key_id, public_key=Ed25519PublicKey.from_public_bytes(raw))

    def to_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    @classmethod
    def from_pem(cls, pem: str | bytes, *, key_id: str) -> VerifyKey:
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise KeyFormatError("not a PEM public key") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFormatError("badge keys must be Ed25519 keys")
        return cls(key_id=key_id, public_key=key)


@dataclass(frozen=True)
class SigningKey:
    """A private key that issues badge tokens, with the id written into each token."""

    key_id: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        _check_key_id(self.key_id)

    @property
    def verify_key(self) -> VerifyKey:
        return VerifyKey(key_id=self.key_id, public_key=self.private_key.public_key())

    def to_text(self) -> str:
        seed = self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return f"{_SECRET_PREFIX}:{self.key_id}:{_b64encode(seed)}"

    @classmethod
    def from_text(cls, text: str) -> SigningKey:
        key_id, raw = _split_text(text, _SECRET_PREFIX)
        return cls(key_id=key_id, private_key=Ed25519PrivateKey.from_private_bytes(raw))

    def to_pem(self, *, password: bytes | None = None) -> str:
        """PKCS#8 PEM, encrypted with ``password`` when one is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        ).decode("ascii")

    @classmethod
    def from_pem(
        cls, pem: str | bytes, *, key_id: str, password: bytes | None = None
    ) -> SigningKey:
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        try:
            key = serialization.load_pem_private_key(data, password=password)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise KeyFormatError("not a PEM private key (or wrong password)") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFormatError("badge keys must be Ed25519 keys")
        return cls(key_id=key_id, private_key=key)


def generate_signing_key(key_id: str) -> SigningKey:
    """A fresh random Ed25519 signing key."""
    return SigningKey(key_id=_check_key_id(key_id), private_key=Ed25519PrivateKey.generate())


@dataclass(frozen=True, eq=False)
class Keyring(Mapping[str, VerifyKey]):
    """The verification keys currently trusted, by key id (several during a rotation)."""

    by_id: Mapping[str, VerifyKey]

    def __post_init__(self) -> None:
        for key_id, key in self.by_id.items():
            if key.key_id != key_id:
                raise KeyFormatError(f"keyring entry {key_id!r} holds key {key.key_id!r}")
        # Keep a private copy so later changes to the caller's dict cannot alter trust.
        object.__setattr__(self, "by_id", dict(self.by_id))

    @classmethod
    def of(cls, *keys: VerifyKey | SigningKey) -> Keyring:
        """Keyring from keys; signing keys contribute their public half."""
        by_id: dict[str, VerifyKey] = {}
        for key in keys:
            verify = key.verify_key if isinstance(key, SigningKey) else key
            if verify.key_id in by_id:
                raise KeyFormatError(f"duplicate key id {verify.key_id!r}")
            by_id[verify.key_id] = verify
        return cls(by_id=by_id)

    @classmethod
    def from_text(cls, text: str | Iterable[str]) -> Keyring:
        """Keyring from ``ed25519-pk:...`` entries separated by commas/whitespace."""
        entries = text.replace(",", " ").split() if isinstance(text, str) else list(text)
        return cls.of(*(VerifyKey.from_text(entry) for entry in entries))

    def to_text(self) -> str:
        return ",".join(key.to_text() for key in self.by_id.values())

    def __getitem__(self, key_id: str) -> VerifyKey:
        return self.by_id[key_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_id)

    def __len__(self) -> int:
        return len(self.by_id)
