"""Async Pilot tests run on asyncio through the anyio pytest plugin."""

from __future__ import annotations

import pytest

from tests.support.telephony import SECRETS_ENV


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def pbx_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", SECRETS_ENV)


@pytest.fixture(autouse=True)
def _desk_data_dir(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's desk keeps its offline journal in a folder of its own, never in the
    machine's data folder."""
    monkeypatch.setenv("RELAIS_PHONE_DATA_DIR", str(tmp_path_factory.mktemp("phone")))
