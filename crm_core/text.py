"""Folding of names for search keys: no accents, no case, no punctuation differences."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, StringConstraints

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


# One rule for every text a person types (issue 20): a name, a one-line label, a free
# text. What differs is said where it differs: a free text holds line breaks and tabs, a
# name only letters; labels and free texts drop the variation selectors that a phone adds
# to an emoji (« ❤️ ») instead of refusing the resident's message over a glyph choice.
Kind = Literal["name", "label", "free", "identifier", "number", "email", "reference"]
_WHERE = {"name": "dans un nom", "label": "dans un libellé", "free": "dans un texte",
          "identifier": "dans un identifiant", "number": "dans un numéro",
          "email": "dans une adresse e-mail", "reference": "dans une référence"}
# What must hold on one line, as the refusal names it.
_ONE_LINE = {"label": "le libellé", "identifier": "l'identifiant", "number": "le numéro",
             "email": "l'adresse", "reference": "la référence"}

# Marks that reorder what is displayed (a name that reads "Martin" while holding
# "nitraM", an override leaking past a note): refused everywhere.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")
# Joiners that some scripts (Persian, Indic) need inside a word, and only there: between
# two letters (or their marks) of such a script; and an emoji's parts (👨‍👩‍👧) outside
# names. Between Latin letters they only hide a difference.
_JOINERS = frozenset("\u200c\u200d")
_JOINING_SCRIPTS = ("ARABIC", "SYRIAC", "NKO", "MONGOLIAN", "DEVANAGARI", "BENGALI",
                    "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA",
                    "MALAYALAM", "SINHALA", "MYANMAR", "KHMER", "TIBETAN")
# Variation selectors choose a glyph (an emoji's look): never part of a name, dropped
# from labels and free texts.
_VARIATION_SELECTORS = frozenset(chr(c) for c in [*range(0xFE00, 0xFE10),
                                                   *range(0xE0100, 0xE01F0)])
_DROP_SELECTORS = {ord(char): None for char in _VARIATION_SELECTORS}
# Accents stacked on one letter: Vietnamese needs two (ệ), more only hides a difference.
MAX_MARKS_PER_LETTER = 2
# Characters Unicode files as letters or marks that display as nothing: the Hangul
# fillers, the Khmer inherent vowels (deprecated), the grapheme joiner, the Khitan filler;
# and the braille blank, which looks like a space. Blank texts are made of these.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u17b4\u17b5\u034f\U00016fe4"
                          "\u2800")
# Never visible text: controls (tab, CR, LF…), format marks (soft hyphen, BOM, tags…),
# private use, surrogates, unassigned code points, line and paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# Emoji newer than Python's Unicode tables are unassigned to it: kept outside names.
_NEWER_EMOJI = range(0x1F000, 0x1FB00)
_LINE_BREAKS = frozenset("\t\r\n\v\f\x85\u2028\u2029")
# What a name holds besides letters, their marks and spaces.
_NAME_PUNCTUATION = frozenset("'’ʼ‘`´-‐‑‒–—.")
_REAL_LETTERS = frozenset({"Lu", "Ll", "Lt", "Lo"})  # Lm: modifier letters alone are not
_CHARACTER_NAMES = {
    " ": "espace", "\xa0": "espace insécable",
    "\x00": "caractère nul", "\x07": "sonnerie", "\x08": "retour arrière",
    "\t": "tabulation", "\n": "retour à la ligne",
    "\x0b": "tabulation verticale", "\x0c": "saut de page",
    "\r": "retour chariot seul", "\x1b": "échappement", "\x7f": "suppression",
    "\x85": "passage à la ligne de commande", "\x9b": "introduction de commande",
    "\u00ad": "trait d'union conditionnel", "\u061c": "marque de lettre arabe",
    "\u200b": "espace sans chasse", "\u200c": "anti-liant sans chasse",
    "\u200d": "liant sans chasse", "\u200e": "marque de gauche à droite",
    "\u200f": "marque de droite à gauche", "\u2060": "gluon de mots",
    "\ufeff": "indicateur d'ordre des octets",
    "\u202a": "début d'enchâssement de gauche à droite",
    "\u202b": "début d'enchâssement de droite à gauche",
    "\u202c": "fin d'enchâssement", "\u202d": "forçage de gauche à droite",
    "\u202e": "inversion du sens d'écriture",
    "\u2066": "isolat de gauche à droite", "\u2067": "isolat de droite à gauche",
    "\u2068": "isolat de direction automatique", "\u2069": "fin d'isolat",
    "\u3000": "espace idéographique",
}
_CATEGORY_NAMES = {"Cc": "caractère de contrôle", "Cf": "caractère invisible de mise en forme",
                   "Co": "caractère à usage privé", "Cs": "demi-caractère isolé",
                   "Cn": "caractère non attribué", "Zl": "séparateur de ligne",
                   "Zp": "séparateur de paragraphe"}
_RETYPE = " : retirez-le ou retapez le texte"


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def _unseen(char: str) -> bool:
    """Invisible, or a space other than the plain one (a no-break space looks like it)."""
    category = unicodedata.category(char)
    return category in _INVISIBLE or (category == "Zs" and char != " ")


def echoed(value: str, limit: int = 60) -> str:
    """A refused value as a message may repeat it to a terminal: what is invisible
    (controls, escape sequences, direction overrides) or passes for a plain space (a
    no-break or thin space) shown as its code point, and a
    long value cut, so that echoing it can neither restyle the terminal nor flood it."""
    shown = "".join(f"<{_code(char)}>" if _unseen(char) else char for char in value[:limit])
    return shown + ("…" if len(value) > limit else "")


def _is_noncharacter(char: str) -> bool:
    point = ord(char)
    return 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE


def _describe(char: str) -> str:
    category = unicodedata.category(char)
    if char in _CHARACTER_NAMES:
        return _CHARACTER_NAMES[char]
    if char in _VARIATION_SELECTORS:
        return "sélecteur de variante"
    if 0xE0000 <= ord(char) <= 0xE007F:
        return "étiquette invisible"
    if char in BLANK_LETTERS:
        return "lettre de remplissage invisible"
    if _is_noncharacter(char):
        return "non-caractère"
    if category in _CATEGORY_NAMES:
        return _CATEGORY_NAMES[category]
    if category == "Zs":  # a space of another width: shown, it would look like nothing
        return "espace typographique"
    return "accent ou signe" if category.startswith("M") else f"« {char} »"


def _refused(text: str, index: int, kind: Kind, why: str) -> str:
    """« caractère U+FE0F (sélecteur de variante) refusé dans un nom (5e caractère) : … »"""
    place = "1er" if index == 0 else f"{index + 1}e"
    char = text[index]
    if text[index:index + 2] == "\r\n":  # a Windows line end: one thing to the writer
        return (f"fin de ligne (U+000D U+000A) refusée {_WHERE[kind]} "
                f"({place} caractère){why}")
    return (f"caractère {_code(char)} ({_describe(char)}) refusé {_WHERE[kind]} "
            f"({place} caractère){why}")


def _is_letter_or_mark(char: str) -> bool:
    return char not in BLANK_LETTERS and unicodedata.category(char)[0] in "LM"


def _is_visible(char: str) -> bool:
    """Something that shows on its own: a letter, a digit, punctuation, a symbol."""
    return char not in BLANK_LETTERS and unicodedata.category(char)[0] in "LNPS"


def _joins(char: str) -> bool:
    """A letter or mark of a script that writes joiners inside words."""
    return _is_letter_or_mark(char) and unicodedata.name(char, "").startswith(_JOINING_SCRIPTS)


def _joined(before: str, after: str, kind: Kind) -> bool:
    if before and after and _joins(before) and _joins(after):
        return True
    emoji = kind != "name" and before and after
    return bool(emoji) and all(unicodedata.category(c) in ("So", "Sk") for c in before + after)


def _is_hidden(char: str, kind: Kind) -> bool:
    category = unicodedata.category(char)
    if category == "Cn" and kind != "name" and ord(char) in _NEWER_EMOJI:
        return _is_noncharacter(char)
    return (char in _BIDI_CONTROLS or char in _VARIATION_SELECTORS
            or char in BLANK_LETTERS or category in _INVISIBLE)


def _char_problem(text: str, index: int, kind: Kind) -> str | None:
    char = text[index]
    category = unicodedata.category(char)
    before = text[index - 1] if index else ""
    if kind == "free" and char in "\n\t":
        return None
    if kind in _ONE_LINE and char in _LINE_BREAKS:
        return _refused(text, index, kind, f" : {_ONE_LINE[kind]} doit tenir sur une ligne")
    if char in _JOINERS and _joined(before, text[index + 1: index + 2], kind):
        return None
    if char in _BIDI_CONTROLS:
        return _refused(text, index, kind, " : il change la direction du texte affiché ;"
                        " retirez-le ou retapez le texte")
    if _is_hidden(char, kind):
        return _refused(text, index, kind, _RETYPE)
    if kind == "email" and category == "Zs":  # a no-break space looks like nothing wrong
        return _refused(text, index, kind, " : une adresse e-mail ne contient aucune espace")
    if category.startswith("M"):  # an accent: on a letter (or what it decorates) only
        on = _is_letter_or_mark if kind == "name" else (
            lambda c: _is_visible(c) or _is_letter_or_mark(c))
        if before and on(before):
            return None
        return _refused(text, index, kind, " : un accent doit suivre une lettre")
    if kind != "name" or category.startswith("L") or category == "Zs":
        return None
    if char in _NAME_PUNCTUATION:
        return None
    return _refused(text, index, kind,
                    " : lettres, espaces, apostrophes, traits d'union et points seulement")


def _stacked_marks(text: str, kind: Kind) -> str | None:
    """More accents on one letter than any language writes (decomposed, so that a
    precomposed « é » counts its accent too)."""
    run = 0
    for index, char in enumerate(text):
        marks = sum(unicodedata.category(c) in ("Mn", "Me")
                    for c in unicodedata.normalize("NFD", char))
        is_mark = unicodedata.category(char) in ("Mn", "Me")
        run = run + marks if is_mark else marks
        if run > MAX_MARKS_PER_LETTER:
            place = "1er" if index == 0 else f"{index + 1}e"
            return (f"plus de {MAX_MARKS_PER_LETTER} accents sur une même lettre "
                    f"({place} caractère) : refusé {_WHERE[kind]}")
    return None


def _shows_nothing(char: str) -> bool:
    return (char.isspace() or char in BLANK_LETTERS or char in _VARIATION_SELECTORS
            or unicodedata.category(char)[0] == "M" or unicodedata.category(char) == "Cf")


def shows_nothing(text: str) -> bool:
    """Only spaces, accents on nothing, blank letters or invisible marks: nothing to read
    (said to residents in their own words rather than with the rule's)."""
    return all(_shows_nothing(char) for char in text)


_EMPTY = {"name": "un nom doit contenir des lettres",
          "label": "libellé vide : il doit contenir des caractères visibles",
          "free": "texte vide : il doit contenir des caractères visibles",
          "identifier": "identifiant vide : il doit contenir des caractères visibles",
          "number": "numéro vide : il doit contenir des chiffres",
          "email": "adresse vide : elle doit contenir des caractères visibles",
          "reference": "référence vide : elle doit contenir des caractères visibles"}


def text_problem(text: str, kind: Kind) -> str | None:
    """Why `text` cannot be stored as this kind of text (French, naming the character and
    its place, for the agent or the platform), or None. Built on Unicode categories: no
    control, format (but a joiner inside a word or an emoji), private-use, unassigned or
    separator character, no direction mark, no variation selector, no blank "letter", an
    accent only after a letter and at most two on one; and something visible. A name holds
    letters, their accents, spaces, apostrophes, hyphens and dots only, and real letters."""
    if text.strip() and all(_shows_nothing(char) for char in text):
        # Nothing to read; a direction control is named, as it is among visible text.
        bidi = next((i for i, char in enumerate(text) if char in _BIDI_CONTROLS), None)
        return _EMPTY[kind] if bidi is None else _char_problem(text, bidi, kind)
    for index in range(len(text)):
        if (problem := _char_problem(text, index, kind)) is not None:
            return problem
    if (problem := _stacked_marks(text, kind)) is not None:
        return problem
    if kind == "name" and not any(unicodedata.category(char) in _REAL_LETTERS
                                  and char not in BLANK_LETTERS for char in text):
        return _EMPTY[kind]
    if kind == "label" and text and not any(_is_visible(char) for char in text):
        return _EMPTY[kind]
    return None


def name_problem(text: str) -> str | None:
    """Why `text` cannot be a person's name, or None (see `text_problem`)."""
    return text_problem(text, "name")


def check_name(text: str) -> str:
    """A Pydantic validator (`AfterValidator(check_name)`): the reason as its error."""
    problem = name_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def normalize_label(text: str) -> str:
    """The label without the variation selectors a phone adds to an emoji (« ❤️ » -> ❤)."""
    return text.translate(_DROP_SELECTORS)


def single_line_problem(text: str) -> str | None:
    """Why `text` (already normalised) cannot be a one-line label (a service, a site, an
    agent's name, a subject…), in French, or None: the shared rule, on one line."""
    return text_problem(text, "label")


def _checked(text: str, normalized: str, kind: Kind) -> str:
    problem = text_problem(normalized, kind)
    if problem is None and text.strip() and not normalized.strip():
        problem = _EMPTY[kind]  # only variation selectors
    if problem is not None:
        raise ValueError(problem)
    return normalized


def check_single_line(text: str) -> str:
    """A Pydantic validator (`SingleLine`): the normalised label, or the reason as error."""
    return _checked(text, normalize_label(text), "label")


# `Annotated[str, StringConstraints(...), SingleLine]`: a label typed by an agent.
SingleLine = AfterValidator(check_single_line)


def normalize_free_text(text: str) -> str:
    """Windows line ends (CRLF) and the Unicode line and paragraph separators become
    plain newlines: the same text, typed on another system; an emoji's variation
    selectors go (as from labels). A lone CR stays (refused)."""
    return normalize_label(
        text.replace("\r\n", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n"))


def free_text_problem(text: str) -> str | None:
    """Why `text` (already normalised) cannot be stored as a free text (a note, a
    description, a message), in French naming the character, or None: the shared rule,
    with newlines and tabs."""
    return text_problem(text, "free")


def check_free_text(text: str) -> str:
    """A Pydantic validator (`FreeText`): the normalised text, or the reason as error."""
    return _checked(text, normalize_free_text(text), "free")


# `Annotated[str, StringConstraints(...), FreeText]`: a note, a description, a message.
FreeText = AfterValidator(check_free_text)


def identifier_problem(text: str) -> str | None:
    """Why `text` cannot be an identifier another system gave us (an online account's
    subject), in French, or None. Stricter than a label and never normalised, since it is
    compared as sent: printable characters only, no space, no format mark at all (not even
    a joiner between emoji), no variation selector; the label's rule for the rest (blank
    letters, accents on nothing or stacked)."""
    for index, char in enumerate(text):
        if char.isspace():
            return _refused(text, index, "identifier", " : un identifiant ne contient pas"
                            " d'espace ni de retour à la ligne")
        if char in _BIDI_CONTROLS:
            return _char_problem(text, index, "identifier")
        if not char.isprintable() or _is_hidden(char, "name"):
            return _refused(text, index, "identifier", _RETYPE)
    return text_problem(text, "identifier") if text else _EMPTY["identifier"]


def check_identifier(text: str) -> str:
    """A Pydantic validator (`Identifier`): the identifier as sent, or the reason as error."""
    problem = identifier_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


# `Annotated[str, StringConstraints(...), Identifier]`: an identifier from another system.
Identifier = AfterValidator(check_identifier)


def _composed(value: object) -> object:
    """A key as the client's user sees it: letters composed (NFC), stored and compared so."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


# A client's retry key: an identifier (visible characters, no space), 8 to 100 of them,
# counted and compared composed (NFC): « é » typed either way is one key, one character.
IdempotencyKey = Annotated[str, BeforeValidator(_composed),
                           StringConstraints(min_length=8, max_length=100), Identifier]
