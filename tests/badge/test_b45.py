"""Base45 (RFC 9285): the RFC's examples, strictness, and agreement with ``base45``."""

from __future__ import annotations

import base45
import pytest
from hypothesis import given
from hypothesis import strategies as st

from badge.b45 import ALPHABET, b45decode, b45encode

RFC_EXAMPLES = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
    (b"", ""),
]


@pytest.mark.parametrize(("raw", "text"), RFC_EXAMPLES)
def test_rfc_9285_examples(raw: bytes, text: str) -> None:
    assert b45encode(raw) == text
    assert b45decode(text) == raw


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("GGW", id="group-above-65535"),
        pytest.param(":::", id="largest-group"),
        pytest.param("::", id="last-pair-above-255"),
        pytest.param("BB8A", id="length-1-mod-3"),
        pytest.param("bb8", id="lowercase"),
        pytest.param("BB8\n", id="trailing-newline"),
        pytest.param("BBé", id="non-ascii"),
        pytest.param("BB\x00", id="nul"),
    ],
)
def test_refuses_non_canonical_text(text: str) -> None:
    with pytest.raises(ValueError, match="Base45"):
        b45decode(text)


@given(st.binary(max_size=200))
def test_round_trip_matches_the_reference_package(raw: bytes) -> None:
    text = b45encode(raw)
    assert text == base45.b45encode(raw).decode("ascii")
    assert set(text) <= set(ALPHABET)
    assert b45decode(text) == raw


@given(st.text(alphabet=ALPHABET, max_size=60))
def test_decoding_agrees_with_the_reference_package(text: str) -> None:
    try:
        expected: bytes | None = base45.b45decode(text)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError, match="Base45"):
            b45decode(text)
    else:
        assert b45decode(text) == expected


@given(st.binary(min_size=1, max_size=200))
def test_encoding_never_ends_with_a_space(raw: bytes) -> None:
    # The last character is a high digit (at most "W"): stripping an input line is harmless.
    assert not b45encode(raw).endswith(" ")
