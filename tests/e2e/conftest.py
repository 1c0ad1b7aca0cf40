from __future__ import annotations

import pytest

from tests.support.telephony import SECRETS_ENV


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def pbx_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PBX secrets of tests/support/telephony.py on the server under test."""
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", SECRETS_ENV)
