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


# Marks that reorder what is displayed (a name that reads "Martin" while holding
# "nitraM", a file that looks like another one): never part of a name.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")
# Joiners that some scripts (Persian, Indic) need inside a word.
_JOINERS = frozenset("\u200c\u200d")


def name_problem(text: str) -> str | None:
    """Why `text` cannot be a person's name (French, for the agent or the platform), or
    None: no control character, no direction override, no other invisible format mark
    but the joiners, and at least one letter."""
    for char in text:
        if char in _BIDI_CONTROLS:
            return (f"caractère de contrôle de la direction du texte (U+{ord(char):04X}) "
                    "refusé dans un nom")
        category = unicodedata.category(char)
        if category == "Cc" or (category == "Cf" and char not in _JOINERS):
            return f"caractère invisible ou de contrôle (U+{ord(char):04X}) refusé dans un nom"
    if not any(unicodedata.category(char).startswith("L") for char in text):
        return "un nom doit contenir des lettres"
    return None


def check_name(text: str) -> str:
    """A Pydantic validator (`AfterValidator(check_name)`): the reason as its error."""
    problem = name_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


# Japanese writes one name with these together: one script for our purpose.
_SAME_SCRIPT = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK"}


def scripts_of(text: str) -> set[str]:
    """The scripts of the letters of `text`, from the first word of each letter's Unicode
    name (LATIN, CYRILLIC, GREEK, ARABIC…): Python's `unicodedata` has no Script property,
    and this is exact for the alphabets a homoglyph needs, without a dependency."""
    found = set()
    for char in text:
        if unicodedata.category(char).startswith("L"):
            word = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
            found.add(_SAME_SCRIPT.get(word, word))
    return found


def is_mixed_script(*names: str | None) -> bool:
    """A name whose letters come from several scripts ("Durаnd" with a Cyrillic а) looks
    like another one: flagged for a person to check, never refused (it may be a typo)."""
    return any(len(scripts_of(name)) > 1 for name in names if name)
