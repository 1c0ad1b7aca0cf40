"""Settings of one phone desk (environment variables `RELAIS_PHONE_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm_core.client.private_files import empty_data_dir_problem
from crm_core.client.settings_checks import Interval, SearchDelay, server_url_problem
from crm_core.config import default_data_dir


class DeskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_PHONE_", env_file=".env", extra="ignore")

    server_url: str = "http://127.0.0.1:8000"
    # Empty: the extension of the signed-in agent (set by the administrator).
    extension: str = Field(default="", max_length=100)
    search_delay_seconds: SearchDelay = 0.3
    # The offline journal (call logs and call-backs kept while the server is away).
    data_dir: Path = Field(default_factory=lambda: default_data_dir() / "phone")
    # How often kept items are offered to the server again.
    sync_interval_seconds: Interval = 5.0

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: object) -> object:
        empty_data_dir_problem(value, "RELAIS_PHONE_DATA_DIR")
        return value

    @field_validator("server_url")
    @classmethod
    def _server_url(cls, value: str) -> str:
        if problem := server_url_problem(value):
            raise ValueError(problem)
        return value
