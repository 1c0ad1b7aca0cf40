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
