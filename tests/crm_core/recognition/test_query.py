from __future__ import annotations

from datetime import date

import pytest

from crm_core.cases import reference as refs
from crm_core.exceptions import InvalidInput
from crm_core.recognition.query import QueryTooShort, parse


def test_names_only() -> None:
    query = parse("  Camile   DURANT ")
    assert query.names == ["camile", "durant"]
    assert not query.has_contact and query.birth_date is None


def test_date_in_the_box_and_as_parameter() -> None:
    assert parse("durand 12/03/1984").birth_date == date(1984, 3, 12)
    assert parse("durand 1984-03-12").names == ["durand"]
    assert parse("durand", birth_date=date(1990, 1, 2)).birth_date == date(1990, 1, 2)
    with pytest.raises(InvalidInput, match="impossible"):
        parse("durand 31/02/1984")


def test_phone_whole_or_fragment() -> None:
    whole = parse("06 12 34 56 78")
    assert (whole.phone, whole.phone_digits, whole.names) == ("+33612345678", "0612345678", [])
    fragment = parse("durand 56 78")
    assert (fragment.phone, fragment.phone_digits, fragment.names) == (None, "5678", ["durand"])
    assert parse("durand 12").phone_digits is None  # too few digits to mean anything


def test_email_whole_or_local_part() -> None:
    assert parse("Camille.Durand@Exemple.fr").email == "camille.durand@exemple.fr"
    partial = parse("camille.durand@")
    assert (partial.email, partial.email_local) == (None, "camille.durand")


def test_case_reference() -> None:
    reference = refs.generate()
    query = parse(refs.format_reference(reference).lower())
    assert query.references == [reference]
    assert query.names == []


@pytest.mark.parametrize("typed", ["", "   ", "a", "%", "_", "\\", "'", "😀😀", "12/03/1984"])
def test_nothing_to_search_is_a_clear_422(typed: str) -> None:
    with pytest.raises(QueryTooShort) as caught:
        parse(typed)
    assert caught.value.status == 422
    assert "Saisissez" in caught.value.detail or "Rien à chercher" in caught.value.detail


def test_too_long_is_refused_and_extra_words_ignored() -> None:
    with pytest.raises(InvalidInput, match="trop longue"):
        parse("a" * 10_000)
    query = parse("un deux trois quatre cinq six sept huit")
    assert len(query.names) == 6 and query.ignored == ["sept", "huit"]


def test_metacharacters_never_reach_a_token() -> None:
    query = parse("dur%and' OR 1=1 -- _x_ \\")
    assert all(token.isalnum() for token in query.names)
    assert parse("Ёлкин Иван").names == ["елкин", "иван"]
