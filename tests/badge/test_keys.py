"""Signing keys: text and PEM round trips, configuration mistakes, keyrings."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from badge.keys import (
    KeyFormatError,
    Keyring,
    SigningKey,
    VerifyKey,
    generate_signing_key,
)


def _same_public(a: VerifyKey, b: VerifyKey) -> bool:
    return a.key_id == b.key_id and a.raw() == b.raw()


def test_text_round_trip() -> None:
    key = generate_signing_key("2025-01")
    text = key.to_text()
    assert text.startswith("ed25519-sk:2025-01:")
    again = SigningKey.from_text(text)
    assert _same_public(again.verify_key, key.verify_key)
    public_text = key.verify_key.to_text()
    assert public_text.startswith("ed25519-pk:2025-01:")
    assert _same_public(VerifyKey.from_text(public_text), key.verify_key)


def test_pem_round_trip_plain_and_encrypted() -> None:
    key = generate_signing_key("k1")
    assert _same_public(SigningKey.from_pem(key.to_pem(), key_id="k1").verify_key, key.verify_key)
    encrypted = key.to_pem(password=b"correct horse")
    assert "ENCRYPTED" in encrypted
    loaded = SigningKey.from_pem(encrypted, key_id="k1", password=b"correct horse")
    assert _same_public(loaded.verify_key, key.verify_key)
    with pytest.raises(KeyFormatError):
        SigningKey.from_pem(encrypted, key_id="k1", password=b"wrong")
    public = VerifyKey.from_pem(key.verify_key.to_pem(), key_id="k1")
    assert _same_public(public, key.verify_key)


def test_secret_never_in_repr() -> None:
    key = generate_signing_key("k1")
    assert key.to_text().split(":")[2] not in repr(key)


def test_public_key_pasted_as_secret_is_refused() -> None:
    key = generate_signing_key("k1")
    with pytest.raises(KeyFormatError, match="looks like a 'ed25519-pk' key"):
        SigningKey.from_text(key.verify_key.to_text())
    with pytest.raises(KeyFormatError, match="looks like a 'ed25519-sk' key"):
        VerifyKey.from_text(key.to_text())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ed25519-sk:k1",
        "ed25519-sk:k1:not base64!",
        "ed25519-sk:k1:AAAA",
        "ed25519-sk:bad id:" + "A" * 43,
        "ed25519-sk:much-too-long:" + "A" * 43,
    ],
)
def test_malformed_key_text(text: str) -> None:
    with pytest.raises(KeyFormatError):
        SigningKey.from_text(text)


def test_other_algorithms_are_refused() -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    pem = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(KeyFormatError, match="Ed25519"):
        SigningKey.from_pem(pem, key_id="k1")
    public_pem = other.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(KeyFormatError, match="Ed25519"):
        VerifyKey.from_pem(public_pem, key_id="k1")
    with pytest.raises(KeyFormatError):
        VerifyKey.from_pem("not a pem", key_id="k1")


@pytest.mark.parametrize("key_id", ["", "has space", "toolong8", "é"])
def test_key_ids_are_short_and_plain(key_id: str) -> None:
    with pytest.raises(KeyFormatError):
        generate_signing_key(key_id)


def test_keyring_from_settings_text() -> None:
    new, old = generate_signing_key("k2"), generate_signing_key("k1")
    text = f"{new.verify_key.to_text()}, {old.verify_key.to_text()}"
    keyring = Keyring.from_text(text)
    assert sorted(keyring) == ["k1", "k2"]
    assert len(keyring) == 2
    assert _same_public(keyring["k1"], old.verify_key)
    assert _same_public(Keyring.from_text(keyring.to_text())["k2"], new.verify_key)
    assert Keyring.from_text("").by_id == {}


def test_keyring_refuses_duplicates_and_mislabelled_entries() -> None:
    key = generate_signing_key("k1")
    with pytest.raises(KeyFormatError, match="duplicate"):
        Keyring.of(key, generate_signing_key("k1"))
    with pytest.raises(KeyFormatError, match="holds key"):
        Keyring(by_id={"k2": key.verify_key})


def test_keyring_is_a_frozen_copy() -> None:
    key = generate_signing_key("k1")
    entries = {"k1": key.verify_key}
    keyring = Keyring(by_id=entries)
    entries["k2"] = generate_signing_key("k2").verify_key
    assert list(keyring) == ["k1"]
