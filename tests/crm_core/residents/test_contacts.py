from __future__ import annotations

import pytest

from crm_core.exceptions import InvalidInput
from crm_core.residents.contacts import format_phone_for_display, normalize_email, normalize_phone
from crm_core.text import fold


@pytest.mark.parametrize(
    "raw",
    ["06 12 34 56 78", "0612345678", "06.12.34.56.78", "+33 6 12 34 56 78", "0033612345678",
     "+33 (0)6 12 34 56 78", "06-12-34-56-78"],
)
def test_french_mobile_in_any_usual_writing(raw: str) -> None:
    assert normalize_phone(raw) == "+33612345678"


def test_foreign_numbers_keep_their_country() -> None:
    assert normalize_phone("+32 470 12 34 56") == "+32470123456"
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize(
    "raw", ["", "12", "06 12 34", "abcdef", "+33 6 12 34 56 78 99 99", "x" * 100]
)
def test_malformed_phones_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_phone(raw)


def test_display_is_national_for_france() -> None:
    assert format_phone_for_display("+33612345678") == "06 12 34 56 78"


def test_email_is_validated_and_case_folded() -> None:
    assert normalize_email("  Camille.Durand@Exemple.FR ") == "camille.durand@exemple.fr"
    for bad in ("camille", "camille@", "@exemple.fr", "a b@exemple.fr", "x" * 400):
        with pytest.raises(InvalidInput):
            normalize_email(bad)


@pytest.mark.parametrize(
    ("name", "key"),
    [("Éloïse", "eloise"), ("N'Diaye", "n diaye"), ("Le  Goff", "le goff"),
     ("Jean-Baptiste", "jean baptiste"), ("Lætitia", "laetitia"), ("Œillet", "oeillet"),
     ("ÇA", "ca")],
)
def test_fold_removes_accents_case_and_punctuation(name: str, key: str) -> None:
    assert fold(name) == key


@pytest.mark.parametrize("raw", ["lea@example.fr\r\nBcc: x@example.fr", "lea\x1b[31m@example.fr",
                                 "lea\u202e@example.fr"])
def test_a_refused_address_is_quoted_without_its_control_characters(raw: str) -> None:
    """Outside look at issue 21: CR LF came back raw in the 422's detail."""
    with pytest.raises(InvalidInput) as refused:
        normalize_email(raw)
    detail = refused.value.detail
    assert not any(char in detail for char in "\r\n\x1b\u202e")
    assert "U+" in detail and "dans une adresse e-mail" in detail  # named, in French


@pytest.mark.parametrize("raw", ["06 12\r\n34 56 78", "06\x1b12345678"])
def test_a_refused_phone_is_quoted_without_its_control_characters(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalize_phone(raw)
    assert not any(char in refused.value.detail for char in "\r\n\x1b")


@pytest.mark.parametrize(("raw", "named"), [
    ("\u202e0612345678", "U+202E (inversion du sens d'écriture)"),
    ("06\u200b12345678", "U+200B (espace sans chasse)"),
    ("0612\r\n345678", "fin de ligne (U+000D U+000A)"),
    ("06123\r45678", "U+000D (retour chariot"),
])
def test_a_phone_with_an_invisible_character_is_refused_naming_it(raw: str, named: str) -> None:
    """Third outside look at issue 21: the parser stripped it and the number was kept."""
    with pytest.raises(InvalidInput) as refused:
        normalize_phone(raw)
    said = refused.value.detail
    assert named in said and "dans un numéro" in said
    assert not any(char in said for char in "\u202e\u200b\r")


def test_an_email_with_a_line_break_names_it_in_french() -> None:
    with pytest.raises(InvalidInput) as refused:
        normalize_email("camille@example.fr\r\nBcc: x@example.fr")
    assert "fin de ligne (U+000D U+000A)" in refused.value.detail
    assert "dans une adresse e-mail" in refused.value.detail



@pytest.mark.parametrize(("raw", "named"), [
    ("camille\u00a0durand@example.fr", "U+00A0 (espace insécable)"),
    ("camille\u202fdurand@example.fr", "U+202F (espace typographique)"),
    ("camille durand@example.fr", "U+0020 (espace)"),
])
def test_a_space_in_an_email_is_named(raw: str, named: str) -> None:
    """Fourth outside look at issue 21: a no-break space was refused without being named."""
    with pytest.raises(InvalidInput) as refused:
        normalize_email(raw)
    assert all(part in refused.value.detail for part in (named, "8e caractère", "e-mail"))
