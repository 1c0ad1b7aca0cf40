from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.integrations.oidc.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    Provider,
    node_available,
    running_provider,
)
from tests.support.required import missing

REDIRECT = "http://testserver/integrations/account/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    if not node_available():
        missing("node and tests/integrations/oidc/node_modules are needed (npm ci)")
    with running_provider(REDIRECT) as running:
        yield running


@pytest.fixture
def online_account(configure: Callable[..., None], provider: Provider) -> Provider:
    configure(oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
              oidc_client_secret=CLIENT_SECRET, oidc_redirect_uri=provider.redirect_uri,
              oidc_identity_verified="true")
    return provider
