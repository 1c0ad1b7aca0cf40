"""A configured secret that is no usable key never makes a webhook answer 500 (issue 20,
fifth outside test: « whsec_@@@ » decoded to an empty key, and the library raised)."""

from __future__ import annotations

import pytest

from integrations.exceptions import InvalidSignature
from integrations.webhooks.signature import (
    BadSecret,
    decode_secret,
    new_secret,
    signed_headers,
    verify,
)

BODY = '{"type": "case.created"}'


@pytest.mark.parametrize("secret", ["whsec_@@@", "nothex", "whsec_", "s", "whsec_é" * 30])
def test_an_unusable_secret_is_refused_in_french(secret: str) -> None:
    with pytest.raises(BadSecret, match=r"secret (illisible|trop court)"):
        decode_secret(secret)


@pytest.mark.parametrize("secret", ["whsec_@@@", "nothex", "whsec_"])
def test_the_verifier_refuses_with_a_401_never_a_crash(secret: str) -> None:
    headers = signed_headers(secrets_=[new_secret()], msg_id="msg_1", body=BODY)
    with pytest.raises(InvalidSignature, match="Signature invalide"):
        verify(secrets_=[secret], body=BODY.encode(), headers=headers)


def test_a_good_secret_still_verifies_beside_a_bad_one() -> None:
    good = new_secret()
    headers = signed_headers(secrets_=[good], msg_id="msg_1", body=BODY)
    assert verify(secrets_=["whsec_@@@", good], body=BODY.encode(), headers=headers) == "msg_1"
    assert len(decode_secret(good)) == 32
    assert decode_secret(good.removeprefix("whsec_").rstrip("=")) == decode_secret(good)
