"""Which scripts a name's letters come from: a name mixing them looks like another one."""

from __future__ import annotations

import unicodedata

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
