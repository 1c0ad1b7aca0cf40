"""A configured secret that is no usable key never makes a webhook answer 500 (issue 20,
fifth outside test: « whsec_@@@ » decoded to an empty key, and the library raised)."""

from __future__ import annotations

import pytest

from integrations.exceptions import InvalidSignature, UnreadableBody
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


def test_a_body_that_is_not_utf8_is_said_to_be_the_bodys_fault() -> None:
    # Sixth outside test: a correctly signed Latin-1 body was called a bad signature.
    secret = new_secret()
    headers = signed_headers(secrets_=[secret], msg_id="msg_1", body=BODY)
    with pytest.raises(UnreadableBody, match="non UTF-8") as refused:
        verify(secrets_=[secret], body="{\"nom\": \"Zoé\"}".encode("latin-1"), headers=headers)
    assert (refused.value.status, refused.value.code) == (422, "unreadable_body")
