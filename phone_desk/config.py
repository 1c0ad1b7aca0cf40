"""Settings of one phone desk (environment variables `RELAIS_PHONE_*`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DeskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_PHONE_", env_file=".env", extra="ignore")

    server_url: str = "http://127.0.0.1:8000"
    # Empty: the extension of the signed-in agent (set by the administrator).
    extension: str = Field(default="", max_length=100)
    search_delay_seconds: float = 0.3
