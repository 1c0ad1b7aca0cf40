"""Folding of names for search keys: no accents, no case, no punctuation differences."""

from __future__ import annotations

import re
import unicodedata

from pydantic import AfterValidator

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


# Initials before which French elides "de" into "d'" (h taken as mute: "d'habiter").
_ELIDING = frozenset("aàâäeéèêëiîïoôöuùûüœæh")


def de(words: str) -> str:
    """ "de modifier", "d'effacer": the preposition before a verb or a noun, elided."""
    return ("d'" if words[:1].lower() in _ELIDING else "de ") + words


def clean_display(text: str) -> str:
    """Trim and collapse inner whitespace of a name as typed, keeping accents and case."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def count(number: int) -> str:
    """12345 -> '12 345' (narrow no-break space, as French typography wants)."""
    return f"{number:,}".replace(",", "\u202f")


# Marks that reorder what is displayed (a name that reads "Martin" while holding
# "nitraM", a file that looks like another one): never part of a name or a label.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")
# Joiners that some scripts (Persian, Indic) need inside a word, and only there: between
# two letters (or their marks) of such a script. Between Latin letters they only hide a
# difference (two names that read the same and are not).
_JOINERS = frozenset("\u200c\u200d")
_JOINING_SCRIPTS = ("ARABIC", "SYRIAC", "NKO", "MONGOLIAN", "DEVANAGARI", "BENGALI",
                    "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA",
                    "MALAYALAM", "SINHALA", "MYANMAR", "KHMER", "TIBETAN")
# Variation selectors choose a glyph (an emoji's look): never part of a name.
_VARIATION_SELECTORS = frozenset(chr(c) for c in [*range(0xFE00, 0xFE10),
                                                   *range(0xE0100, 0xE01F0)])
# Accents stacked on one letter: Vietnamese needs two (ệ), more only hides a difference.
MAX_MARKS_PER_LETTER = 2
# Characters Unicode files as letters or marks that display as nothing: the Hangul
# fillers, the Khmer inherent vowels (deprecated), the grapheme joiner, the Khitan filler;
# and the braille blank, which looks like a space. Blank names are made of these.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u17b4\u17b5\u034f\U00016fe4"
                          "\u2800")
# Never visible text: controls (tab, CR, LF…), format marks, private use, surrogates,
# unassigned code points, line and paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# What a name holds besides letters, their marks and spaces.
_NAME_PUNCTUATION = frozenset("'’ʼ‘`´-‐‑‒–—.")
_REAL_LETTERS = frozenset({"Lu", "Ll", "Lt", "Lo"})  # Lm: modifier letters alone are not


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def _is_letter_or_mark(char: str) -> bool:
    return char not in BLANK_LETTERS and unicodedata.category(char)[0] in "LM"


def _joins(char: str) -> bool:
    """A letter or mark of a script that writes joiners inside words."""
    return _is_letter_or_mark(char) and unicodedata.name(char, "").startswith(_JOINING_SCRIPTS)


def _stacked_marks(text: str) -> bool:
    """More accents on one letter than any language writes (decomposed, so that a
    precomposed « é » counts its accent too)."""
    run = 0
    for char in unicodedata.normalize("NFD", text):
        run = run + 1 if unicodedata.category(char) in ("Mn", "Me") else 0
        if run > MAX_MARKS_PER_LETTER:
            return True
    return False


def _name_char_problem(text: str, index: int) -> str | None:
    char = text[index]
    category = unicodedata.category(char)
    before = text[index - 1] if index else ""
    if char in _BIDI_CONTROLS:
        return (f"caractère de contrôle de la direction du texte ({_code(char)}) "
                "refusé dans un nom")
    if char in _JOINERS:
        after = text[index + 1] if index + 1 < len(text) else ""
        if before and after and _joins(before) and _joins(after):
            return None
    if char in _VARIATION_SELECTORS:
        return f"sélecteur de variante ({_code(char)}) refusé dans un nom"
    if category in _INVISIBLE or char in BLANK_LETTERS:
        return f"caractère invisible ou de contrôle ({_code(char)}) refusé dans un nom"
    if category.startswith("M"):  # an accent, a variation selector: on a letter only
        if before and _is_letter_or_mark(before):
            return None
        return (f"accent ou signe isolé ({_code(char)}) refusé dans un nom : il doit suivre"
                " une lettre")
    if category.startswith("L") or category == "Zs" or char in _NAME_PUNCTUATION:
        return None
    return (f"caractère « {char} » ({_code(char)}) refusé dans un nom : lettres, espaces,"
            " apostrophes, traits d'union et points seulement")


def name_problem(text: str) -> str | None:
    """Why `text` cannot be a person's name (French, for the agent or the platform), or
    None. Built on Unicode categories: letters, marks that follow a letter, spaces,
    apostrophes, hyphens and dots only; no control, format (but a joiner inside a word),
    private-use or separator character, no blank "letter"; and at least one real letter."""
    for index in range(len(text)):
        if (problem := _name_char_problem(text, index)) is not None:
            return problem
    if _stacked_marks(text):
        return (f"plus de {MAX_MARKS_PER_LETTER} accents sur une même lettre : refusé dans"
                " un nom")
    if not any(unicodedata.category(char) in _REAL_LETTERS and char not in BLANK_LETTERS
               for char in text):
        return "un nom doit contenir des lettres"
    return None


def check_name(text: str) -> str:
    """A Pydantic validator (`AfterValidator(check_name)`): the reason as its error."""
    problem = name_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def single_line_problem(text: str) -> str | None:
    """Why `text` cannot be a one-line label (a service, a site, an agent's name, a
    subject…), in French, or None: no tab or line break, no control or format character
    (a direction override would show another text), and something visible."""
    for char in text:
        if char in "\t\r\n\v\f\x85\u2028\u2029":
            return ("retour à la ligne ou tabulation refusé : le libellé doit tenir sur"
                    " une ligne")
        if char in _BIDI_CONTROLS:
            return (f"caractère de contrôle de la direction du texte ({_code(char)})"
                    " refusé dans un libellé")
        if unicodedata.category(char) in _INVISIBLE:
            return f"caractère invisible ou de contrôle ({_code(char)}) refusé dans un libellé"
    if text and not any(not char.isspace() and char not in BLANK_LETTERS for char in text):
        return "libellé vide : il doit contenir des caractères visibles"
    return None


def check_single_line(text: str) -> str:
    problem = single_line_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


# `Annotated[str, StringConstraints(...), SingleLine]`: a label typed by an agent.
SingleLine = AfterValidator(check_single_line)


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


# Free texts (a note, a description, a message): several lines, any script, emoji (with
# their joiners and variation selectors), but nothing that drives a terminal (ESC, BEL, a
# lone CR) or reorders what follows on the page (an override leaks past the note).
_EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CHARACTER_NAMES = {
    "\x00": "caractère nul", "\x07": "sonnerie", "\x08": "retour arrière",
    "\x0b": "tabulation verticale", "\x0c": "saut de page",
    "\r": "retour chariot seul", "\x1b": "échappement", "\x7f": "suppression",
    "\x85": "passage à la ligne de commande", "\x9b": "introduction de commande",
    "\u202a": "début d'enchâssement de gauche à droite",
    "\u202b": "début d'enchâssement de droite à gauche",
    "\u202c": "fin d'enchâssement", "\u202d": "forçage de gauche à droite",
    "\u202e": "inversion du sens d'écriture",
    "\u2066": "isolat de gauche à droite", "\u2067": "isolat de droite à gauche",
    "\u2068": "isolat de direction automatique", "\u2069": "fin d'isolat",
}


def _is_noncharacter(char: str) -> bool:
    point = ord(char)
    return 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE


def normalize_free_text(text: str) -> str:
    """Windows line ends (CRLF) and the Unicode line and paragraph separators become
    plain newlines: the same text, typed on another system. A lone CR stays (refused)."""
    return (text.replace("\r\n", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n"))


def free_text_problem(text: str) -> str | None:
    """Why `text` (already normalised) cannot be stored as a free text, in French naming
    the character, or None. Newline and tab are the only controls allowed."""
    for char in text:
        if char in "\n\t":
            continue
        category = unicodedata.category(char)
        if char in _EMBEDDINGS or category in {"Cc", "Cs"} or _is_noncharacter(char):
            name = _CHARACTER_NAMES.get(char)
            if name is None:
                name = ("demi-caractère isolé" if category == "Cs" else "non-caractère"
                        if _is_noncharacter(char) else "caractère de contrôle")
            return f"caractère {_code(char)} ({name}) refusé : retirez-le ou retapez le texte"
    return None


def check_free_text(text: str) -> str:
    """A Pydantic validator (`FreeText`): the normalised text, or the reason as error."""
    text = normalize_free_text(text)
    problem = free_text_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


# `Annotated[str, StringConstraints(...), FreeText]`: a note, a description, a message.
FreeText = AfterValidator(check_free_text)
