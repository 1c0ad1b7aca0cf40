"""Folding of names for search keys: no accents, no case, no punctuation differences."""

from __future__ import annotations

import re
import unicodedata

# Ligatures and letters that NFKD does not decompose into ASCII.
_SPECIAL = str.maketrans(
    {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "ł": "l"}
)
_SEPARATORS = re.compile(r"[\s\-‐‑–—'’ʼ`´.,_/]+")


def fold(text: str) -> str:
    """'N'Diaye-Lefèvre ' -> 'n diaye lefevre': the key both engines index and compare."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", stripped.casefold()).strip()


def clean_display(text: str) -> str:
    """Trim and collapse inner whitespace of a name as typed, keeping accents and case."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def count(number: int) -> str:
    """12345 -> '12 345' (narrow no-break space, as French typography wants)."""
    return f"{number:,}".replace(",", "\u202f")
