from __future__ import annotations

from collections.abc import Iterator

import pytest

from crm_core.telephony.config import get_telephony_settings
from tests.support.telephony import SECRETS_ENV


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def pbx_secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The PBX secrets of tests/support/telephony.py on the server under test."""
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", SECRETS_ENV)
    get_telephony_settings.cache_clear()
    yield
    get_telephony_settings.cache_clear()
