"""Request dependencies of the connector routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from integrations.settings import IntegrationSettings, get_integration_settings


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent: signatures are over these bytes, never a re-serialisation."""
    return await request.body()


async def integration_settings() -> IntegrationSettings:
    """Async: the settings are read once and cached, and a sync dependency would cost a
    trip through the thread pool on every webhook."""
    return get_integration_settings()


RawBody = Annotated[bytes, Depends(raw_body)]
Config = Annotated[IntegrationSettings, Depends(integration_settings)]
