"""The two text rules every typed name and label meets (`crm_core.text`): a person's name
is built from Unicode categories, a one-line label holds no line break nor invisible mark."""

from __future__ import annotations

import pytest

from crm_core.text import name_problem, single_line_problem

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
