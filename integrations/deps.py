"""Request dependencies of the connector routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from crm_core.config import Settings
from integrations.settings import IntegrationSettings


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent: signatures are over these bytes, never a re-serialisation."""
    return await request.body()


async def integration_settings(request: Request) -> IntegrationSettings:
    """The connectors' section of the application's one `Settings` (`app_settings`).
    Async: a sync dependency would cost a trip through the thread pool on every webhook."""
    settings: Settings = request.app.state.settings
    return settings.section(IntegrationSettings)


RawBody = Annotated[bytes, Depends(raw_body)]
Config = Annotated[IntegrationSettings, Depends(integration_settings)]
