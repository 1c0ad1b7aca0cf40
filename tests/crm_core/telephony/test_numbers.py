from __future__ import annotations

import pytest

from crm_core.telephony.enums import RemoteKind
from crm_core.telephony.numbers import classify, display


@pytest.mark.parametrize(
    ("raw", "kind", "number"),
    [
        ("+33 6 12 34 56 78", RemoteKind.NUMBER, "+33612345678"),
        ("06.12.34.56.78", RemoteKind.NUMBER, "+33612345678"),
        ("0033612345678", RemoteKind.NUMBER, "+33612345678"),
        ("33612345678", RemoteKind.NUMBER, "+33612345678"),  # Zammad style, no plus
        ("anonymous", RemoteKind.ANONYMOUS, None),
        ("", RemoteKind.ANONYMOUS, None),
        ("<unknown>", RemoteKind.ANONYMOUS, None),
        ("201", RemoteKind.INTERNAL, None),
        ("3939", RemoteKind.INTERNAL, None),
        ("06 12", RemoteKind.INTERNAL, None),
        ("not a number", RemoteKind.INVALID, None),
        ("+33 6 12 34 56 78 99 99", RemoteKind.INVALID, None),
    ],
)
def test_what_a_pbx_sends_is_classified(raw: str, kind: RemoteKind, number: str | None) -> None:
    assert classify(raw, region="FR") == (kind, number)


def test_display_is_french() -> None:
    assert display(RemoteKind.NUMBER, "+33612345678", "") == "06 12 34 56 78"
    assert display(RemoteKind.ANONYMOUS, None, "anonymous") == "Numéro masqué"
    assert display(RemoteKind.INTERNAL, None, "201") == "Poste interne 201"
