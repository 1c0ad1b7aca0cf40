from __future__ import annotations

import time

import pytest

from crm_core.config.telephony import parse_secrets
from crm_core.telephony.signing import (
    SIGNATURE_HEADER,
    SignatureError,
    sign,
    verify,
)

SECRETS = {"pbx-a": ["a-secret-long-enough-for-pbx-a"]}


NOW = 1_800_000_000


def _headers(**overrides: str) -> dict[str, str]:
    headers = sign(pbx="pbx-a", secret="a-secret-long-enough-for-pbx-a", body=b"{}",
                   timestamp=NOW)
    headers.update(overrides)
    return headers


def test_a_signed_body_names_its_pbx() -> None:
    assert verify(headers=_headers(), body=b"{}", secrets=SECRETS, tolerance_seconds=60,
                  now=NOW) == "pbx-a"


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        (_headers(), b'{"x": 1}', "Signature invalide"),
        (_headers(**{"X-Relais-PBX": "pbx-b"}), b"{}", "inconnu"),
        ({"X-Relais-PBX": "pbx-a"}, b"{}", "obligatoires"),
        (_headers(**{"X-Relais-Timestamp": "hier"}), b"{}", "illisible"),
        (_headers(**{SIGNATURE_HEADER: "v2,abc"}), b"{}", "Signature invalide"),
    ],
)
def test_refusals_say_why(headers: dict[str, str], body: bytes, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        verify(headers=headers, body=body, secrets=SECRETS, tolerance_seconds=60, now=NOW)


def test_an_old_timestamp_is_a_replay() -> None:
    old = sign(pbx="pbx-a", secret=SECRETS["pbx-a"][0], body=b"{}",
               timestamp=int(time.time()) - 600)
    with pytest.raises(SignatureError, match="tolérance"):
        verify(headers=old, body=b"{}", secrets=SECRETS, tolerance_seconds=300)


def test_rotation_accepts_both_secrets_and_several_signatures() -> None:
    secrets = parse_secrets(
        "pbx-a:old-secret-long-enough-000000,pbx-a:new-secret-long-enough-111111"
    )
    new = sign(pbx="pbx-a", secret="new-secret-long-enough-111111", body=b"{}")
    assert verify(headers=new, body=b"{}", secrets=secrets, tolerance_seconds=60) == "pbx-a"
    # A PBX mid-rotation may send both signatures in one header.
    old = sign(pbx="pbx-a", secret="old-secret-long-enough-000000", body=b"{}",
               timestamp=int(new["X-Relais-Timestamp"]))
    both = dict(new)
    both[SIGNATURE_HEADER] = f"v1,Zm9yZ2Vk {old[SIGNATURE_HEADER]}"
    assert verify(headers=both, body=b"{}", secrets={"pbx-a": ["old-secret-long-enough-000000"]},
                  tolerance_seconds=60) == "pbx-a"
