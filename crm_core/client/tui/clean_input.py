"""What the text fields of both terminal apps accept: nothing that breaks cell widths.

Textual measures each character on its own, the terminal draws some sequences as one
glyph of another width: « ❤️ » (❤ + U+FE0F, an emoji-presentation selector) is one cell
for Textual and two for the terminal, a family joined with U+200D is three emoji for
Textual and one for the terminal, a skin tone merges into its emoji. The field's border
then shifts and stray characters stay on screen (seen in tmux). So typed or pasted text
keeps the visible characters and loses what only changes how they are drawn: variation
selectors, joiners and other invisible format characters, skin-tone modifiers,
enclosing marks (keycaps) and combining marks that sit on no letter. Accents typed as a
letter plus a combining mark are composed first (NFC), so « é » stays « é ».

`CleanInput` is Textual's `Input` with that filter; `clean_typed` is the filter itself.
A password field is left as typed (masked, so never mis-measured; a password is exact).
The agent is told when characters were left out, and when the field is full: text that
changes silently between the keyboard and the record is text nobody can trust.
"""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from textual.widgets import Input

_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))
_SKIN_TONES = range(0x1F3FB, 0x1F400)


def _drawn_alone(char: str) -> bool:
    """A character that only changes how its neighbour is drawn, whatever precedes it."""
    code = ord(char)
    if any(code in block for block in _SELECTORS) or code in _SKIN_TONES:
        return True
    # Cf: joiners, zero-width spaces, direction marks, tags; Cc: controls; Me: keycaps.
    return unicodedata.category(char) in ("Cf", "Cc", "Me")


def clean_typed(text: str, before: str = "") -> str:
    """`text` without what breaks cell widths; `before` is the character it follows."""
    kept: list[str] = []
    last = before
    for char in unicodedata.normalize("NFC", text):
        if _drawn_alone(char):
            continue
        if unicodedata.category(char) == "Mn" and not (
                last and unicodedata.category(last)[0] in "LM"):
            continue  # a combining mark on nothing, a digit, a symbol or an emoji
        kept.append(char)
        last = char
    return "".join(kept)


LEFT_OUT = ("Caractères invisibles ou de contrôle non repris dans la saisie"
            " (code de contrôle, inversion du sens d'écriture, espace sans largeur…).")


def _hidden_meaning(char: str) -> bool:
    """Left out and worth saying: a control or format character (an emoji's selector,
    skin tone or joiner only changes a drawing: dropped without a word)."""
    kind = unicodedata.category(char)
    return kind == "Cc" or (kind == "Cf" and char != "\u200d")
SAID_AGAIN_AFTER = 3.0  # seconds: a paste or a held key is told once, not per character


class CleanInput(Input):
    """`Input` whose typed and pasted text goes through `clean_typed`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_told: dict[str, float] = {}  # each notice's last time

    def replace(self, text: str, start: int, end: int) -> None:
        if text and not self.password:
            start = max(0, min(start, end))
            typed = unicodedata.normalize("NFC", text)
            text = clean_typed(text, self.value[start - 1] if start else "")
            if any(_hidden_meaning(char) for char in typed):
                self._tell(LEFT_OUT)
            if not text and start == end:
                return  # only invisible characters: nothing to insert
        super().replace(text, start, end)

    def restricted(self) -> None:
        """Textual refused the change (the field is full): said, not only rung."""
        super().restricted()
        if self.max_length and len(self.value) >= self.max_length:
            self._tell(f"Champ plein : {self.max_length} caractères au plus ; la suite"
                       " n'a pas été prise.")

    def _tell(self, text: str) -> None:
        now = time.monotonic()
        if now - self._last_told.get(text, -SAID_AGAIN_AFTER) >= SAID_AGAIN_AFTER:
            self._last_told[text] = now
            self.notify(text, severity="warning", timeout=6)
