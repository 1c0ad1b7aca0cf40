"""What a QR scanner (or a webcam) hands us: a badge token, or text to search.

USB "keyboard wedge" scanners type the QR content as keystrokes and press Enter. What
arrives in the counter app's input line is often not exactly the QR text:

* scanner-added prefix/suffix characters (an AIM identifier such as ``]Q1``, STX/ETX, a
  Tab, a configured suffix) and stray whitespace or line endings;
* Caps Lock: the letters arrive in lowercase;
* the classic French counter problem: the scanner is set to a US (QWERTY) layout and the
  workstation uses AZERTY, so ``RL1:`` arrives as ``RL&M`` and every digit as a symbol.
  The mapping between the two layouts is fixed, so it is undone here.

The token itself is located by its ``RL1:`` prefix and cut to the exact length announced
by its own length bytes, so noise on either side is dropped. Anything else that looks
human-typed is returned as text to search (a name, a case reference).

Base45 has a space in its alphabet, but never as the last character of an encoding (the
last character is at most ``W``), so an input widget that strips the line does no harm.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from badge.b45 import ALPHABET
from badge.errors import (
    BadgeMalformed,
    ImageDecoderUnavailable,
    ImageUnreadable,
    NoBadgeInImage,
    ScanEmpty,
    ScanError,
    ScanTooLong,
)
from badge.token import MAX_TOKEN_LENGTH, TOKEN_PREFIX, expected_token_length

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

__all__ = [
    "MAX_SCAN_LENGTH",
    "MAX_SEARCH_LENGTH",
    "ScanResult",
    "ScannedBadge",
    "SearchText",
    "decode_image",
    "read_scanner_input",
]

# Longest raw line considered at all: a token plus generous scanner noise.
MAX_SCAN_LENGTH = 400
# Longest text accepted as a search (names, references, e-mail addresses).
MAX_SEARCH_LENGTH = 120
# Beyond this many pixels an "image" is not a webcam snapshot (decompression bombs).
MAX_IMAGE_PIXELS = 40_000_000


@dataclass(frozen=True, slots=True)
class ScannedBadge:
    """A badge token to verify (on the server): canonical text, noise removed."""

    token: str


@dataclass(frozen=True, slots=True)
class SearchText:
    """Human text to search for (name, case reference...), cleaned up."""

    text: str


ScanResult = ScannedBadge | SearchText

# What a US-layout scanner types on an AZERTY (French) keyboard, for each character of the
# QR alphanumeric set. Digits are unshifted on QWERTY and land on AZERTY's accented row;
# Q/A, W/Z and M swap places; punctuation moves with its key.
_US_TO_AZERTY = {
    "1": "&", "2": "é", "3": '"', "4": "'", "5": "(",
    "6": "-", "7": "è", "8": "_", "9": "ç", "0": "à",
    "A": "Q", "Q": "A", "W": "Z", "Z": "W", "M": "?",
    "$": "4", "%": "5", "*": "8", "-": ")", ".": ":", "/": "!", ":": "M",
}  # fmt: skip
_AZERTY_TO_US = str.maketrans({v: k for k, v in _US_TO_AZERTY.items()})
_AZERTY_PREFIX = "".join(_US_TO_AZERTY.get(c, c) for c in TOKEN_PREFIX)
_PREFIX_RE = re.compile(re.escape(TOKEN_PREFIX), re.IGNORECASE)
_AZERTY_PREFIX_RE = re.compile(re.escape(_AZERTY_PREFIX), re.IGNORECASE)
# Another Relais format version: handed on so that verification names the problem.
_OTHER_VERSION_RE = re.compile(r"RL[0-9]{1,3}:[0-9A-Z $%*+\-./:]{20,}")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ALPHABET = frozenset(ALPHABET)
# A machine-made code that is not ours (a URL, another country's pass, a long token).
_FOREIGN_CODE_RE = re.compile(r"[a-z][a-z0-9+.-]*://|[A-Z0-9]{2,4}:\S{20,}|\S{60,}", re.I)


def _token_candidate(raw: str) -> str | None:
    """The token hidden in ``raw``, canonicalised, or ``None`` if there is no prefix."""
    match = _PREFIX_RE.search(raw)
    translate = False
    if match is None:
        match = _AZERTY_PREFIX_RE.search(raw)
        translate = match is not None
    if match is None:
        return None
    tail = raw[match.start() :].translate(_ASCII_UPPER)
    if translate:
        tail = tail.translate(_AZERTY_TO_US)
    # The token ends at the first character that cannot be part of it...
    end = len(TOKEN_PREFIX)
    while end < len(tail) and end < MAX_TOKEN_LENGTH and tail[end] in _ALPHABET:
        end += 1
    candidate = tail[:end]
    # ...or earlier, where its own length bytes say it ends (scanner suffix noise).
    expected = expected_token_length(candidate)
    return candidate if expected is None else candidate[:expected]


def _clean_text(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw)
    # Control and format characters (CR, LF, Tab, ESC, STX, zero-width...) become spaces.
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(text.split())


def read_scanner_input(raw: str) -> ScanResult:
    """Classify one input line: a badge token to verify, or text to search.

    Raises :class:`~badge.errors.ScanEmpty` for nothing usable,
    :class:`~badge.errors.ScanTooLong` for oversized input (checked before anything else)
    and :class:`~badge.errors.BadgeMalformed` for a machine-made code that is not a Relais
    badge (a URL, another kind of QR code).
    """
    if len(raw) > MAX_SCAN_LENGTH:
        raise ScanTooLong(detail=f"{len(raw)} characters")
    token = _token_candidate(raw)
    if token is not None:
        return ScannedBadge(token=token)
    other = _OTHER_VERSION_RE.search(raw.translate(_ASCII_UPPER))
    if other is not None:
        return ScannedBadge(token=other.group(0))
    text = _clean_text(raw)
    if not text:
        raise ScanEmpty()
    if _FOREIGN_CODE_RE.search(text):
        raise BadgeMalformed(
            "Ce code n'est pas un badge Relais (autre code QR ou lien). Demandez le badge "
            "Relais de l'usager ou recherchez-le par son nom.",
            detail="foreign machine-readable code",
        )
    if len(text) > MAX_SEARCH_LENGTH:
        raise ScanTooLong(detail=f"search text of {len(text)} characters")
    return SearchText(text=text)


def _open_image(source: bytes | str | Path | PilImage) -> PilImage:
    from PIL import Image, UnidentifiedImageError

    if isinstance(source, Image.Image):
        return source
    try:
        image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        # Only the header is read so far: refuse huge images before decoding pixels.
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ImageUnreadable(detail=f"image too large ({width}x{height})")
        image.load()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ImageUnreadable(detail=f"{type(exc).__name__}: {exc}") from None
    return image


def decode_image(source: bytes | str | Path | PilImage) -> ScannedBadge:
    """Find a Relais badge in a photo (webcam snapshot, PNG/JPEG bytes or file path).

    Needs ``zxing-cpp`` (imported lazily: it is an optional dependency);
    raises :class:`~badge.errors.ImageDecoderUnavailable` when it is missing,
    :class:`~badge.errors.ImageUnreadable` or :class:`~badge.errors.NoBadgeInImage`.
    """
    try:
        import zxingcpp
    except ImportError:
        raise ImageDecoderUnavailable(detail="python package zxing-cpp not installed") from None
    image = _open_image(source)
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    barcodes = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    for barcode in barcodes:
        try:
            result = read_scanner_input(barcode.text)
        except (ScanError, BadgeMalformed):
            continue
        if isinstance(result, ScannedBadge):
            return result
    raise NoBadgeInImage(detail=f"{len(barcodes)} QR code(s), none a Relais badge")
