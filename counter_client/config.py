"""Settings of one counter workstation (environment variables `RELAIS_COUNTER_*`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm_core.config import default_data_dir


class CounterSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RELAIS_COUNTER_", env_file=".env", extra="ignore"
    )

    server_url: str = "http://127.0.0.1:8000"
    # Offline journal, print spool and the day's session token live here.
    data_dir: Path = Field(default_factory=lambda: default_data_dir() / "counter")
    # tcp://host:9100, usb://vid:pid, serial:///dev/ttyUSB0, file:///dev/usb/lp0; empty: none.
    printer_url: str = ""
    card_reader: Literal["none", "pcsc"] = "none"
    theme: Literal["standard", "contraste"] = "standard"
    sync_interval_seconds: float = 5.0
    # How often the idle app asks the server's /health, so the top line follows it.
    health_interval_seconds: float = 3.0
    # Waiting print jobs are retried this often, without the agent pressing anything.
    print_retry_seconds: float = 5.0
    # A job waiting longer than this is not printed without asking the agent: the person
    # it was made for has probably left the desk.
    print_max_wait_minutes: float = 10.0
    search_delay_seconds: float = 0.2
    # Shown on printed receipts (the site's public name comes from the server).
    follow_url: str = ""
