"""The two text rules every typed name and label meets (`crm_core.text`): a person's name
is built from Unicode categories, a one-line label holds no line break nor invisible mark."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from crm_core.text import (
    check_free_text,
    check_identifier,
    check_name,
    check_single_line,
    free_text_problem,
    identifier_problem,
    name_problem,
    single_line_problem,
    text_problem,
)

BLANK_LETTERS = ["\u3164", "\u115f", "\u1160", "\uffa0", "\u2800", "\u17b4", "\u034f"]


@pytest.mark.parametrize("blank", BLANK_LETTERS)
def test_a_blank_letter_is_no_letter(blank: str) -> None:
    assert name_problem(blank * 3) is not None
    assert name_problem(f"Léa{blank}") is not None  # nor hidden beside real letters


@pytest.mark.parametrize("char", ["\ue000", "\U000f0000", "\u2028", "\u2029", "\u200b",
                                  "\u2060", "\ufeff", "\U000e0041", "\u0378"])
def test_no_invisible_character_of_any_category(char: str) -> None:
    problem = name_problem(f"Du{char}rand")
    assert problem is not None and f"U+{ord(char):04X}" in problem


def test_joiners_only_inside_a_word_of_a_script_that_uses_them() -> None:
    for name in ("می\u200cخواهم", "\u0915\u094d\u200d\u0937"):  # Persian, Devanagari
        assert name_problem(name) is None, ascii(name)
    for name in ("\u200d", "Léa\u200d", "\u200cLéa", "Léa \u200d Durand",
                 "Ma\u200drtin", "Ma\u200crtin", "Du\u200drand\u200c"):  # outside test
        assert name_problem(name) is not None, ascii(name)


def test_marks_follow_a_letter_and_variation_selectors_never() -> None:
    assert name_problem("Le\u0301a") is None
    for name in ("\u0301", "\ufe0f", "Léa \u0301", "-\u0301", "Martin\ufe0f",
                 "Mar\ufe00tin", "\u845b\U000e0100"):
        assert name_problem(name) is not None, ascii(name)
    assert "variante" in (name_problem("Martin\ufe0f") or "")


def test_at_most_two_accents_on_a_letter() -> None:
    """Outside test after issue 20: "Jea" + twelve acute accents + "n" looked like Jéan."""
    for name in ("Nguyễn", "Nguye\u0302\u0303n", "Le\u0301a", "ệ"):
        assert name_problem(name) is None, ascii(name)
    for name in ("Jea" + "\u0301" * 12 + "n", "Je\u0301\u0301\u0301an", "Jé\u0301\u0301an"):
        assert "accents" in (name_problem(name) or ""), ascii(name)


def test_only_letters_spaces_apostrophes_hyphens_and_dots() -> None:
    assert name_problem("J.-P. N'Diaye–Lefèvre") is None
    for name in ("Durand2", "Léa_", "Léa!", "Léa😀", "<b>Léa</b>"):
        problem = name_problem(name)
        assert problem is not None and "lettres, espaces" in problem, name
    assert name_problem("ʼ-. ") == "un nom doit contenir des lettres"


@pytest.mark.parametrize("label", ["Etat\tcivil", "Etat\ncivil", "Etat\r\ncivil",
                                   "Etat\u2028civil", "Mairie\u0085annexe"])
def test_a_label_holds_on_one_line(label: str) -> None:
    assert "une ligne" in (single_line_problem(label) or "")


@pytest.mark.parametrize("label", ["Mairie\u202eannexe", "\u2067Mairie\u2069",
                                   "Mairie\u200b", "Mairie\x07", "\ue000"])
def test_a_label_holds_no_invisible_or_control_character(label: str) -> None:
    problem = single_line_problem(label)
    assert problem is not None and "U+" in problem


def test_a_label_shows_something() -> None:
    assert single_line_problem("\u3164\u2800") is not None
    assert single_line_problem("") is None  # emptiness is the field's length rule
    assert single_line_problem("État civil — guichet n° 2 (RDC)") is None


def test_de_is_elided_before_a_vowel_or_a_mute_h() -> None:
    from crm_core.text import de

    assert de("effacer des dossiers") == "d'effacer des dossiers"
    assert de("être contacté(e)") == "d'être contacté(e)"
    assert de("utiliser le profil") == "d'utiliser le profil"
    assert de("habiter ici") == "d'habiter ici"
    assert de("recevoir des SMS") == "de recevoir des SMS"


@pytest.mark.parametrize("text", [
    "Ligne 1\nLigne 2\tcolonne", "Rappeler ☎ demain ❤", "Famille 👨\u200d👩\u200d👧 reçue",
    "مرحبا بكم", "Code 👩🏻\u200d💻 et 1\u20e3", "",
])
def test_a_free_text_holds_lines_tabs_any_script_and_emoji(text: str) -> None:
    assert free_text_problem(text) is None
    assert check_free_text(text) == text


def test_an_emojis_variation_selectors_are_dropped_from_labels_and_free_texts() -> None:
    """A phone writes « ❤️ » (❤ and U+FE0F): the resident's message is kept, the glyph
    choice is not (as the counter app does at input)."""
    assert check_free_text("Rappeler ☎️ demain ❤️") == "Rappeler ☎ demain ❤"
    assert check_single_line("Fête ❤️ des voisins") == "Fête ❤ des voisins"


@pytest.mark.parametrize(("char", "said"), [
    ("\u202e", "caractère U+202E (inversion du sens d'écriture) refusé"),
    ("\u2066", "U+2066 (isolat de gauche à droite)"),
    ("\x1b", "U+001B (échappement)"), ("\x07", "U+0007 (sonnerie)"),
    ("\r", "U+000D (retour chariot seul)"), ("\x00", "U+0000"), ("\x9b", "U+009B"),
    ("\ufdd0", "U+FDD0 (non-caractère)"), ("\U0010ffff", "non-caractère"),
    ("\ud800", "U+D800 (demi-caractère isolé)"),
])
def test_a_free_text_refuses_controls_and_direction_overrides(char: str, said: str) -> None:
    problem = free_text_problem(f"Avant {char}après")
    assert problem is not None and said in problem
    with pytest.raises(ValueError, match="refusé"):
        check_free_text(f"Avant {char}après")


def test_line_ends_from_other_systems_become_newlines() -> None:
    assert check_free_text("un\r\ndeux\u2028trois\u2029quatre") == "un\ndeux\ntrois\n\nquatre"


def _free_text_fields() -> list[tuple[type[BaseModel], str]]:
    from crm_core.badges.schemas import BadgeRevoke
    from crm_core.cases.schemas import CaseCreate, CaseUpdate
    from crm_core.interactions.schemas import InteractionCreate
    from crm_core.recognition.schemas import MergeCreate, UnmergeCreate
    from crm_core.reminders.schemas import BundleCreate, DateCreate
    from crm_core.rights.schemas import ConsentUpdate, ErasureCreate
    from crm_core.telephony.schemas import CallbackDoneIn, CallbackIn, CallLogIn
    from integrations.inbound.schemas import CaseEventData
    return [(BadgeRevoke, "reason"), (CaseCreate, "description"), (CaseUpdate, "note"),
            (InteractionCreate, "note"), (ConsentUpdate, "note"), (ErasureCreate, "reason"),
            (MergeCreate, "reason"), (UnmergeCreate, "reason"), (BundleCreate, "description"),
            (DateCreate, "message"), (CallLogIn, "reason"), (CallbackIn, "reason"),
            (CallbackDoneIn, "note"), (CaseEventData, "description"), (CaseEventData, "note")]


@pytest.mark.parametrize(("model", "field"), _free_text_fields())
def test_every_free_text_field_of_the_schemas_is_checked(
    model: type[BaseModel], field: str
) -> None:
    info = model.model_fields[field]  # a required field keeps its constraints apart
    checked: TypeAdapter[Any] = TypeAdapter(
        Annotated[(info.annotation, *info.metadata)]  # type: ignore[arg-type]
        if info.metadata else info.annotation)
    with pytest.raises(ValidationError, match=r"U\+202E"):
        checked.validate_python("Trois\u202e lignes")
    assert checked.validate_python("Une\r\ndeux ✍️") == "Une\ndeux ✍"


# Third outside test of issue 20: names, labels and free texts disagreed on these.
HOSTILE = {
    "bidi override": "\u202e", "Arabic letter mark": "\u061c", "right-to-left mark": "\u200f",
    "zero width joiner": "\u200d", "zero width non-joiner": "\u200c",
    "zero width space": "\u200b", "byte order mark": "\ufeff", "word joiner": "\u2060",
    "soft hyphen": "\u00ad", "tag A": "\U000e0041", "Hangul filler": "\u3164",
    "Hangul choseong filler": "\u115f", "halfwidth Hangul filler": "\uffa0",
    "braille blank": "\u2800", "private use": "\ue000", "escape": "\x1b",
    "lone CR": "\r", "three stacked accents": "\u0301\u0301\u0301",
    "twenty stacked accents": "\u0301" * 20,
}
KINDS = {"name": check_name, "label": check_single_line, "free text": check_free_text}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_one_rule_refuses_each_hostile_character_in_every_kind_of_text(
    hostile: str, kind: str
) -> None:
    with pytest.raises(ValueError, match="refusé") as refused:
        KINDS[kind](f"Dura{hostile}nd")
    assert "caractère)" in str(refused.value), refused.value  # the place is named


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("alone", ["\u0301", "\ufe0f", "\U000e0100", "\u3164", "\u2800",
                                   "\u0301\u200b\ufe0f", "\u2800 \u3164"])
def test_a_text_made_only_of_marks_or_invisible_characters_is_empty(
    alone: str, kind: str
) -> None:
    with pytest.raises(ValueError, match=r"vide|doit contenir des lettres"):
        KINDS[kind](alone)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("alone", "named"), [
    ("\u202e", "U+202E"), ("\u200f\u200f", "U+200F"), ("\u0301\u061c", "U+061C"),
    ("\u200b\u2067\u2069", "U+2067"), (" \u202d ", "U+202D")])
def test_a_text_made_only_of_direction_controls_names_the_character(
    alone: str, named: str, kind: str
) -> None:
    """Outside test: a note of U+202E alone was refused as « texte vide », a note that also
    held visible text named the character."""
    with pytest.raises(ValueError, match=r"refusé") as refused:
        KINDS[kind](alone)
    assert named in str(refused.value) and "vide" not in str(refused.value)


@pytest.mark.parametrize("kind", KINDS)
def test_variation_selectors_are_refused_in_names_dropped_elsewhere(kind: str) -> None:
    for selector in ("\ufe0f", "\U000e0100"):
        if kind == "name":
            with pytest.raises(ValueError, match=r"sélecteur de variante.*7e caractère"):
                check_name(f"Durand{selector}")
        else:
            assert KINDS[kind](f"Durand{selector}") == "Durand"


def test_the_position_names_where_the_character_is() -> None:
    assert single_line_problem("Objet\u3164") == (
        "caractère U+3164 (lettre de remplissage invisible) refusé dans un libellé "
        "(6e caractère) : retirez-le ou retapez le texte")
    assert "(1er caractère)" in (free_text_problem("\u200bA") or "")


IDENTIFIER_REFUSED = [
    "\u0007\u001b[31mROUGE\u202eevil\u001b[0m", "\u3164", "a\u200db", "a\ufe0f",
    "e\u0301\u0301\u0301", "a\u2066b", "\u200ea", "\ufeffa", "a\U000e0041", "\ue000",
    "\u0301\u0301", "a\nb", "a\u2028b", "a b", "a\u00a0b", "",
]


@pytest.mark.parametrize("subject", IDENTIFIER_REFUSED)
def test_an_identifier_is_printable_without_space_nor_invisible_mark(subject: str) -> None:
    """Fourth outside test of issue 20: an account subject took every one of these."""
    problem = identifier_problem(subject)
    assert problem is not None and "identifiant" in problem, ascii(subject)
    with pytest.raises(ValueError, match="identifiant"):
        check_identifier(subject)


def test_an_identifier_is_kept_as_sent() -> None:
    for subject in ("a1b2c3", "f:3e-9@x|y", "Léa.Dürand", "1234567890"):
        assert check_identifier(subject) == subject


def test_a_windows_line_end_is_named_as_one_and_a_number_is_no_label() -> None:
    """Third outside look at issue 21: CR LF was « retour chariot seul », and a phone
    number holding one was called a « libellé »."""
    problem = single_line_problem("Voirie\r\nEspaces verts")
    assert problem is not None and "fin de ligne (U+000D U+000A)" in problem
    assert "seul" not in problem
    number = text_problem("06 12\r34 56 78", "number")
    assert number is not None and "dans un numéro" in number and "le numéro doit tenir" in number
    assert "libellé" not in number


def test_echoed_shows_a_space_that_is_not_the_plain_one_by_its_code() -> None:
    from crm_core.text import echoed

    assert echoed("75\u00a0056 a\u2009b c") == "75<U+00A0>056 a<U+2009>b c"
