from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.telephony import SECRETS_ENV, cti, signed


@pytest.fixture(autouse=True)
def pbx_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", SECRETS_ENV)


PostEvent = Callable[..., Any]


@pytest.fixture
def post_event(client: TestClient) -> PostEvent:
    """post_event("newCall", "call-1", from_="06...", user=["201"]) -> the response."""

    def post(event: str, call_id: str, **fields: Any) -> Any:
        body, headers = signed(cti(event, call_id, **fields))
        return client.post("/api/v1/telephony/events", content=body, headers=headers)

    return post
