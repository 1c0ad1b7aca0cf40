"""An identity provider that does not answer: the resident (anonymous, in a browser or
not) reads a French "try later", never the provider's address or the network error."""

from __future__ import annotations

import socket

import pytest

from integrations.account.backend import AuthlibOnlineAccount
from integrations.exceptions import OidcUnavailable


def test_an_unreachable_provider_is_told_without_its_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    account = AuthlibOnlineAccount(
        issuer=f"http://127.0.0.1:{port}/oidc", client_id="relais", client_secret="x" * 32,
        redirect_uri="http://testserver/integrations/account/callback", scopes="openid",
        timeout=2)
    with pytest.raises(OidcUnavailable) as caught:
        account.authorization_url(state="s", nonce="n", code_verifier="v" * 43)
    assert caught.value.status == 503
    assert str(port) not in caught.value.detail and "Errno" not in caught.value.detail
    assert str(port) in caplog.text  # the operator's log has it
