"""Publik's signed URLs (`integrations.connectors.wcs.signing`): a repeated parameter is
said as such wherever it sits, and nothing is taken after the signature (issue 20, fourth
outside test: an `orig` or `nonce` repeated after the signature read « horodatage ou
signature illisible », a second `signature` « signature invalide »)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.connectors.wcs.signing import BadSignature, check_query, sign_query

KEY = "cle-partagee"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _signed() -> str:
    return sign_query("form=demande-acte%2F1", key=KEY, orig="demarches", timestamp=NOW,
                      nonce="n-1")


@pytest.mark.parametrize(("appended", "name"), [
    ("&orig=evil", "orig"), ("&nonce=n-2", "nonce"), ("&signature=AAAA", "signature"),
    ("&timestamp=2026-12-07T09%3A00%3A00Z", "timestamp"), ("&form=autre%2F2", "form"),
    ("&%73ignature=AAAA", "signature"),
])
def test_a_parameter_repeated_after_the_signature_is_said_twice(
    appended: str, name: str
) -> None:
    with pytest.raises(BadSignature, match=f"paramètre « {name} » en double"):
        check_query(_signed() + appended, key=KEY, now=NOW)


def test_a_new_parameter_after_the_signature_is_unsigned() -> None:
    with pytest.raises(BadSignature, match="« extra » après la signature"):
        check_query(_signed() + "&extra=1", key=KEY, now=NOW)


def test_a_well_signed_query_passes() -> None:
    signed = check_query(_signed(), key=KEY, now=NOW)
    assert (signed.orig, signed.nonce, signed.fields["form"]) == (
        "demarches", "n-1", "demande-acte/1")
