"""Settings of one phone desk (environment variables `RELAIS_PHONE_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm_core.client.private_files import empty_data_dir_problem
from crm_core.client.settings_checks import Interval, SearchDelay, server_url_problem
from crm_core.config import default_data_dir


class DeskSettings(BaseSettings):
    """The phone desk (`relais phone`)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_PHONE_", env_file=".env", extra="ignore")

    server_url: str = Field(
        default="http://127.0.0.1:8000", description="The Relais server.")
    extension: str = Field(
        default="", max_length=100,
        description="This desk's extension; empty: the signed-in agent's own.")
    search_delay_seconds: SearchDelay = Field(
        default=0.3, description="Pause after typing before the search is sent.")
    data_dir: Path = Field(
        default_factory=lambda: default_data_dir() / "phone",
        description="The offline journal (call logs and call-backs kept while the server"
        " is away).",
        json_schema_extra={"shown_default": "user data dir + `/phone`"})
    sync_interval_seconds: Interval = Field(
        default=5.0, description="How often kept items are offered to the server again.")

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
