"""Badge tokens: issuing, verifying, and every way a token must be refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badge import errors
from badge.b45 import ALPHABET, b45decode, b45encode
from badge.keys import Keyring, SigningKey, generate_signing_key
from badge.token import (
    MAX_TOKEN_LENGTH,
    TOKEN_PREFIX,
    BadgeClaims,
    expected_token_length,
    issue_token,
    new_badge_id,
    verify_token,
)

CITY = "69123"
NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
EXPIRES = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
BADGE_ID = bytes.fromhex("00112233445566778899aabbccddeeff")
KEY = generate_signing_key("k1")
KEYRING = Keyring.of(KEY)


def make_token(
    *,
    key: SigningKey = KEY,
    issuer: str = CITY,
    badge_id: bytes = BADGE_ID,
    expires_at: datetime = EXPIRES,
) -> str:
    return issue_token(key=key, issuer=issuer, badge_id=badge_id, expires_at=expires_at)


def verify(text: str, *, keyring: Keyring = KEYRING, now: datetime = NOW) -> BadgeClaims:
    return verify_token(text, keyring=keyring, issuer=CITY, now=now)


TOKEN = make_token()


# --- the happy path -------------------------------------------------------------------


def test_round_trip() -> None:
    claims = verify(TOKEN)
    assert claims == BadgeClaims(badge_id=BADGE_ID, issuer=CITY, key_id="k1", expires_at=EXPIRES)
    assert claims.badge_id_hex == BADGE_ID.hex()


def test_token_is_compact_qr_alphanumeric_text_without_personal_data() -> None:
    assert TOKEN.startswith(TOKEN_PREFIX)
    assert re.fullmatch(r"[0-9A-Z $%*+\-./:]+", TOKEN)
    assert len(TOKEN) == 144 <= MAX_TOKEN_LENGTH == 157
    # The payload holds only the issuer, key id, expiry and random id (then the signature).
    raw = b45decode(TOKEN[len(TOKEN_PREFIX) :])
    assert raw[:-64] == b"\x0569123\x02k1" + int(EXPIRES.timestamp()).to_bytes(4, "big") + BADGE_ID


def test_longest_token_is_max_token_length() -> None:
    key = generate_signing_key("2025-01")
    token = make_token(key=key, issuer="200046977")  # a SIREN, the longest issuer
    assert len(token) == MAX_TOKEN_LENGTH
    claims = verify_token(token, keyring=Keyring.of(key), issuer="200046977", now=NOW)
    assert claims.key_id == "2025-01"


def test_new_badge_ids_are_random_128_bits() -> None:
    ids = {new_badge_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(badge_id) == 16 for badge_id in ids)


def test_key_rotation() -> None:
    new_key = generate_signing_key("k2")
    old_token, new_token = TOKEN, make_token(key=new_key)
    both = Keyring.of(new_key, KEY)
    assert verify(old_token, keyring=both).key_id == "k1"
    assert verify(new_token, keyring=both).key_id == "k2"
    with pytest.raises(errors.BadgeUnknownKey):
        verify(old_token, keyring=Keyring.of(new_key))  # old key retired


def test_expiry_boundary() -> None:
    assert verify(TOKEN, now=EXPIRES - timedelta(seconds=1))
    with pytest.raises(errors.BadgeExpired) as caught:
        verify(TOKEN, now=EXPIRES)
    assert caught.value.expires_at == EXPIRES
    assert caught.value.message_fr.startswith("Ce badge a expiré le 14/03/2026.")


def test_expected_token_length_reads_the_length_bytes() -> None:
    assert expected_token_length(TOKEN + "JUNK") == len(TOKEN)
    assert expected_token_length(TOKEN[:16]) == len(TOKEN)  # 12 characters: 8 bytes
    assert expected_token_length(TOKEN[:6]) is None
    assert expected_token_length("HC1:" + TOKEN[4:]) is None
    assert expected_token_length(TOKEN_PREFIX + b45encode(b"\x00" * 20)) is None


# --- refusals -------------------------------------------------------------------------


def test_signed_by_another_key_with_the_same_id_is_forged() -> None:
    impostor = make_token(key=generate_signing_key("k1"))
    with pytest.raises(errors.BadgeForged) as caught:
        verify(impostor)
    assert caught.value.code == "forged"
    assert "falsifié" in caught.value.message_fr


def test_altered_content_is_forged() -> None:
    raw = bytearray(b45decode(TOKEN[len(TOKEN_PREFIX) :]))
    raw[-65] ^= 0x01  # last byte of the badge id
    with pytest.raises(errors.BadgeForged):
        verify(TOKEN_PREFIX + b45encode(bytes(raw)))
    later = bytearray(raw)
    later[-65] ^= 0x01
    later[9] ^= 0x7F  # expiry pushed far away
    with pytest.raises(errors.BadgeForged):
        verify(TOKEN_PREFIX + b45encode(bytes(later)))


def test_badge_of_another_city() -> None:
    other = make_token(issuer="13055")
    with pytest.raises(errors.BadgeOtherIssuer) as caught:
        verify(other)
    assert caught.value.issuer == "13055"
    assert "autre collectivité (13055)" in caught.value.message_fr


def test_unknown_key() -> None:
    with pytest.raises(errors.BadgeUnknownKey) as caught:
        verify(make_token(key=generate_signing_key("k9")))
    assert "clé inconnue" in caught.value.message_fr


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("Camille Durand", id="a-name"),
        pytest.param("RL1:", id="prefix-only"),
        pytest.param(TOKEN.lower(), id="lowercase"),
        pytest.param(" " + TOKEN, id="leading-space"),
        pytest.param(TOKEN + "\n", id="trailing-newline"),
        pytest.param(TOKEN + "00", id="padded"),
        pytest.param("RL1:" + "é" * 100, id="non-ascii"),
        pytest.param("RL1:\x00\x01\x02", id="control-chars"),
        pytest.param("RL1:" + ":::" * 40, id="base45-overflow"),
        pytest.param("RL1:" + b45encode(bytes(90)), id="zero-lengths"),
        pytest.param("RL1:" + b45encode(b"\x05691\x00\x02k1" + bytes(84)), id="nul-in-issuer"),
        pytest.param("HC1:" + TOKEN[4:], id="covid-certificate-prefix"),
    ],
)
def test_malformed(text: str) -> None:
    with pytest.raises(errors.BadgeMalformed) as caught:
        verify(text)
    assert caught.value.code in ("malformed", "unsupported_version")
    assert caught.value.message_fr


def test_every_truncation_is_malformed() -> None:
    for cut in range(len(TOKEN)):
        with pytest.raises(errors.BadgeMalformed):
            verify(TOKEN[:cut])


def test_oversized_input_is_refused_before_decoding() -> None:
    with pytest.raises(errors.BadgeMalformed) as caught:
        verify(TOKEN + "A" * 1_000_000)
    assert caught.value.detail.startswith("too long")


def test_other_format_version() -> None:
    with pytest.raises(errors.BadgeUnsupportedVersion) as caught:
        verify("RL2:" + TOKEN[4:])
    assert caught.value.code == "unsupported_version"
    assert isinstance(caught.value, errors.BadgeMalformed)


def test_not_a_string() -> None:
    with pytest.raises(errors.BadgeMalformed):
        verify(TOKEN.encode())  # type: ignore[arg-type]


@given(st.text(max_size=300))
def test_random_text_is_always_a_readable_refusal(text: str) -> None:
    with pytest.raises(errors.InvalidBadge) as caught:
        verify(text)
    assert caught.value.message_fr


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    position=st.integers(min_value=len(TOKEN_PREFIX), max_value=len(TOKEN) - 1),
    char=st.sampled_from(ALPHABET),
)
def test_any_changed_character_is_refused(position: int, char: str) -> None:
    altered = TOKEN[:position] + char + TOKEN[position + 1 :]
    if altered == TOKEN:
        return
    with pytest.raises(errors.InvalidBadge):
        verify(altered)


# --- programming errors (not badge refusals) ------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"badge_id": b"short"}, "16 bytes"),
        ({"expires_at": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"expires_at": datetime(1960, 1, 1, tzinfo=UTC)}, "out of range"),
        ({"issuer": "lyon"}, "invalid issuer"),
        ({"issuer": "1234567890"}, "invalid issuer"),
    ],
)
def test_issue_token_validates_its_arguments(changes: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "key": KEY,
        "issuer": CITY,
        "badge_id": BADGE_ID,
        "expires_at": EXPIRES,
    }
    arguments.update(changes)
    with pytest.raises(ValueError, match=message):
        issue_token(**arguments)  # type: ignore[arg-type]


def test_verify_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(TOKEN, now=datetime(2025, 1, 1))


# --- the error catalogue ------------------------------------------------------------


def _all_error_classes() -> list[type[errors.BadgeError]]:
    found: list[type[errors.BadgeError]] = []
    pending: list[type[errors.BadgeError]] = [errors.BadgeError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_error_codes_are_stable_unique_snake_case() -> None:
    classes = _all_error_classes()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in codes)
    for code in ("malformed", "forged", "unknown_key", "expired", "other_issuer", "revoked"):
        assert code in codes


def test_token_errors_are_invalid_badges_with_french_messages() -> None:
    samples: list[errors.BadgeError] = [
        errors.BadgeMalformed(),
        errors.BadgeUnsupportedVersion(),
        errors.BadgeForged(),
        errors.BadgeUnknownKey(),
        errors.BadgeExpired(expires_at=EXPIRES),
        errors.BadgeOtherIssuer(issuer="13055"),
        errors.BadgeRevoked(),
    ]
    for error in samples:
        assert isinstance(error, errors.InvalidBadge)
        assert isinstance(error, errors.BadgeError)
        assert str(error) == error.message_fr
        assert re.search(r"[éèàêç]|badge", error.message_fr)
        assert error.code in repr(error)
