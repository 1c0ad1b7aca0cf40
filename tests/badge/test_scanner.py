"""Scanner input and camera snapshots: finding the token in what actually arrives."""

from __future__ import annotations

import io
import struct
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFilter

from badge import errors
from badge.keys import Keyring, generate_signing_key
from badge.qr import render_png
from badge.scanner import (
    MAX_SCAN_LENGTH,
    ScannedBadge,
    SearchText,
    decode_image,
    read_scanner_input,
)
from badge.token import issue_token, verify_token

KEY = generate_signing_key("k1")
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def make_token(badge_id: bytes = bytes(range(16))) -> str:
    return issue_token(
        key=KEY, issuer="69123", badge_id=badge_id, expires_at=datetime(2030, 1, 1, tzinfo=UTC)
    )


TOKEN = make_token()

# What a US-layout scanner produces on a French AZERTY workstation (see badge.scanner).
US_TO_AZERTY = dict(
    zip(
        "1234567890AQWZM$%*-./:",
        "&é\"'(-è_çàQAZW?458):!M",
        strict=True,
    )
)


def as_azerty(text: str) -> str:
    return "".join(US_TO_AZERTY.get(char, char) for char in text)


def test_clean_scan() -> None:
    assert read_scanner_input(TOKEN) == ScannedBadge(token=TOKEN)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(TOKEN + "\r\n", id="enter"),
        pytest.param("\t  " + TOKEN + "\t", id="tabs-and-spaces"),
        pytest.param("]Q1" + TOKEN, id="aim-identifier"),
        pytest.param("\x02" + TOKEN + "\x03", id="stx-etx"),
        pytest.param("#SCAN#" + TOKEN + "END", id="configured-prefix-suffix"),
        pytest.param(TOKEN + "00042", id="suffix-of-token-characters"),
        pytest.param(TOKEN.lower(), id="caps-lock"),
        pytest.param(as_azerty(TOKEN), id="qwerty-scanner-on-azerty"),
        pytest.param(as_azerty(TOKEN).lower() + "\n", id="azerty-and-caps-lock"),
    ],
)
def test_noise_around_the_token_is_removed(raw: str) -> None:
    result = read_scanner_input(raw)
    assert result == ScannedBadge(token=TOKEN)
    verify_token(result.token, keyring=Keyring.of(KEY), issuer="69123", now=NOW)


def test_truncated_scan_is_handed_on_and_refused_by_verification() -> None:
    result = read_scanner_input(TOKEN[:100])
    assert isinstance(result, ScannedBadge)
    with pytest.raises(errors.BadgeMalformed):
        verify_token(result.token, keyring=Keyring.of(KEY), issuer="69123", now=NOW)


def test_other_format_version_is_recognised_as_a_badge() -> None:
    result = read_scanner_input("RL2:" + TOKEN[4:])
    assert isinstance(result, ScannedBadge)
    with pytest.raises(errors.BadgeUnsupportedVersion):
        verify_token(result.token, keyring=Keyring.of(KEY), issuer="69123", now=NOW)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("camile durant", "camile durant"),
        ("  Élodie   N'Guyen\r\n", "Élodie N'Guyen"),
        ("Jean-E\u0301douard", "Jean-Édouard"),  # decomposed accent from some keyboards
        ("K7M-42QX", "K7M-42QX"),
        ("camille.durand@exemple.fr", "camille.durand@exemple.fr"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("\x1b[A☃\u200b\x00zoé", "[A☃ zoé"),
    ],
)
def test_typed_text_is_a_search(raw: str, text: str) -> None:
    assert read_scanner_input(raw) == SearchText(text=text)


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "\x00\x1b\x7f", "\u200b\ufeff"])
def test_nothing_usable(raw: str) -> None:
    with pytest.raises(errors.ScanEmpty) as caught:
        read_scanner_input(raw)
    assert caught.value.message_fr.startswith("Rien n'a été lu")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("https://www.service-public.fr/particuliers", id="url"),
        pytest.param("HC1:NCFOXN%TSMAHN-H3O4U$TV", id="eu-covid-certificate"),
        pytest.param("X" * 80, id="long-code"),
    ],
)
def test_other_machine_codes_are_refused(raw: str) -> None:
    with pytest.raises(errors.BadgeMalformed) as caught:
        read_scanner_input(raw)
    assert "n'est pas un badge Relais" in caught.value.message_fr


def test_oversized_input_is_refused_first() -> None:
    with pytest.raises(errors.ScanTooLong):
        read_scanner_input(TOKEN + " " * MAX_SCAN_LENGTH)
    with pytest.raises(errors.ScanTooLong):
        read_scanner_input("é" * 10_000_000)
    with pytest.raises(errors.ScanTooLong):
        read_scanner_input("Camille " * 20)  # not a name anyone types


@given(st.text(max_size=MAX_SCAN_LENGTH + 20))
def test_any_input_is_classified_or_refused_readably(raw: str) -> None:
    result: object
    try:
        result = read_scanner_input(raw)
    except (errors.ScanError, errors.BadgeMalformed) as error:
        result = error
    if isinstance(result, errors.BadgeError):
        assert result.message_fr
    else:
        assert isinstance(result, ScannedBadge | SearchText)


@given(
    prefix=st.text(max_size=20),
    suffix=st.text(max_size=20),
)
def test_token_found_among_any_noise(prefix: str, suffix: str) -> None:
    assume("rl1:" not in prefix.lower())  # a second token prefix in the noise
    assert read_scanner_input(prefix + TOKEN + suffix) == ScannedBadge(token=TOKEN)


# --- camera snapshots ---------------------------------------------------------------


def webcam_snapshot(qr_png: bytes) -> bytes:
    """The QR code on a larger, blurred, slightly rotated grey scene, saved as JPEG."""
    code = Image.open(io.BytesIO(qr_png)).convert("L")
    scene = Image.new("L", (code.width * 2, code.height * 2), 140)
    ImageDraw.Draw(scene).rectangle((10, 10, 120, 60), fill=30)  # something else in view
    scene.paste(code, (code.width // 3, code.height // 2))
    scene = scene.rotate(7, fillcolor=140).filter(ImageFilter.GaussianBlur(1))
    out = io.BytesIO()
    scene.save(out, format="JPEG", quality=70)
    return out.getvalue()


def test_decodes_a_png_file(tmp_path: Path) -> None:
    path = tmp_path / "badge.png"
    path.write_bytes(render_png(TOKEN))
    assert decode_image(path) == ScannedBadge(token=TOKEN)
    assert decode_image(str(path)) == ScannedBadge(token=TOKEN)


def test_decodes_a_webcam_snapshot() -> None:
    assert decode_image(webcam_snapshot(render_png(TOKEN, scale=6))) == ScannedBadge(token=TOKEN)


def test_decodes_a_pil_image() -> None:
    image = Image.open(io.BytesIO(render_png(TOKEN))).convert("RGBA")
    assert decode_image(image) == ScannedBadge(token=TOKEN)


@pytest.mark.parametrize(
    "picture",
    [
        pytest.param(render_png("https://www.exemple.fr/"), id="another-qr-code"),
        pytest.param(render_png("HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N"), id="dcc"),
        pytest.param(webcam_snapshot(render_png("Camille")), id="text-qr-code"),
    ],
)
def test_no_badge_in_the_picture(picture: bytes) -> None:
    with pytest.raises(errors.NoBadgeInImage) as caught:
        decode_image(picture)
    assert "Aucun badge" in caught.value.message_fr


def test_blank_picture() -> None:
    out = io.BytesIO()
    Image.new("L", (200, 200), 255).save(out, format="PNG")
    with pytest.raises(errors.NoBadgeInImage):
        decode_image(out.getvalue())


def _png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces ``width`` x ``height`` (a decompression bomb)."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, format="PNG")
    data = bytearray(out.getvalue())
    ihdr = 8 + 8  # signature, then chunk length + type
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr - 4 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


@pytest.mark.parametrize(
    "picture",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, id="broken-png"),
        pytest.param(b"GIF89a not really", id="junk"),
        pytest.param(_png_claiming_size(20_000, 20_000), id="bomb"),
    ],
)
def test_unreadable_pictures(picture: bytes) -> None:
    with pytest.raises(errors.ImageUnreadable) as caught:
        decode_image(picture)
    assert caught.value.code == "image_unreadable"


def test_missing_zxing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # makes "import zxingcpp" fail
    with pytest.raises(errors.ImageDecoderUnavailable) as caught:
        decode_image(render_png(TOKEN))
    assert "caméra" in caught.value.message_fr
