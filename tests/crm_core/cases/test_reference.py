from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core.cases import reference as refs
from crm_core.exceptions import InvalidInput

references = st.text(alphabet=refs.ALPHABET, min_size=6, max_size=6).map(
    lambda body: body + refs._check_symbol(body)
)


def test_alphabet_has_no_confusable_symbols() -> None:
    for letter in "OILSBZGVDPCN":
        assert letter not in refs.ALPHABET


@given(references)
def test_every_single_substitution_is_caught(reference: str) -> None:
    assert refs.is_valid(reference)
    for position, symbol in itertools.product(range(len(reference)), refs.ALPHABET):
        if symbol != reference[position]:
            typo = reference[:position] + symbol + reference[position + 1 :]
            assert not refs.is_valid(typo)


@given(references)
def test_every_swap_of_two_symbols_is_caught(reference: str) -> None:
    for i, j in itertools.combinations(range(len(reference)), 2):
        if reference[i] != reference[j]:
            swapped = list(reference)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            assert not refs.is_valid("".join(swapped))


def test_generated_references_are_valid_and_formatted() -> None:
    reference = refs.generate()
    assert refs.is_valid(reference)
    assert refs.format_reference(reference) == f"{reference[:4]}-{reference[4:]}"


@pytest.mark.parametrize(
    "typed", ["{r4}-{r3}", " {r4} {r3} ", "{lower}", "{r4}.{r3}", "{r4}_{r3}"]
)
def test_normalize_is_tolerant_of_case_spaces_dashes(typed: str) -> None:
    reference = refs.generate()
    text = typed.format(r4=reference[:4], r3=reference[4:], lower=reference.lower())
    assert refs.normalize(text) == reference


def test_normalize_maps_visual_lookalikes() -> None:
    body = "10AX0E"
    reference = body + refs._check_symbol(body)
    assert refs.normalize(reference.replace("1", "I").replace("0", "O")) == reference


@pytest.mark.parametrize(
    ("typed", "message"),
    [("ABC", "7 caractères"), ("7K4M2X!", "impossible"), ("x" * 100, "trop longue")],
)
def test_normalize_explains_refusals(typed: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        refs.normalize(typed)


def test_wrong_check_symbol_is_refused() -> None:
    reference = refs.generate()
    wrong = reference[:-1] + next(c for c in refs.ALPHABET if c != reference[-1])
    with pytest.raises(InvalidInput, match="contrôle"):
        refs.normalize(wrong)


@pytest.mark.parametrize(("raw", "named"), [
    ("Y0JM\u202e0A6", "U+202E (inversion du sens d'écriture)"),
    ("Y0JM\u200b0A6", "U+200B (espace sans chasse)"),
    ("Y0JM\x1b0A6", "U+001B (échappement)"),
    ("Y0J\x1bM0A6", "U+001B (échappement)"),
])
def test_an_invisible_character_in_a_reference_is_named_never_echoed(
    raw: str, named: str,
) -> None:
    """Third outside look at issue 21: the refusal echoed the override raw, and a control
    character was told « compte 7 caractères »."""
    with pytest.raises(InvalidInput) as refused:
        refs.normalize(raw)
    said = refused.value.detail
    assert named in said and "dans une référence" in said
    assert not any(char in said for char in "\u202e\u200b\x1b")
    assert "compte 7" not in said
