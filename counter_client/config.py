"""Settings of one counter workstation (environment variables `RELAIS_COUNTER_*`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm_core.client.private_files import empty_data_dir_problem
from crm_core.client.settings_checks import (
    Interval,
    SearchDelay,
    server_url_problem,
    timed,
)
from crm_core.config import default_data_dir

# A receipt's wait: from a minute (the person may still be at the desk) to a day.
WaitMinutes = Annotated[float, timed(1, 1440, "minutes")]


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
    sync_interval_seconds: Interval = 5.0
    # How often the idle app asks the server's /health, so the top line follows it.
    health_interval_seconds: Interval = 3.0
    # Waiting print jobs are retried this often, without the agent pressing anything.
    print_retry_seconds: Interval = 5.0
    # A job waiting longer than this is not printed without asking the agent: the person
    # it was made for has probably left the desk. At most a day.
    print_max_wait_minutes: WaitMinutes = 10.0
    search_delay_seconds: SearchDelay = 0.2
    # Shown on printed receipts (the site's public name comes from the server).
    follow_url: str = ""

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: object) -> object:
        empty_data_dir_problem(value, "RELAIS_COUNTER_DATA_DIR")
        return value

    @field_validator("server_url")
    @classmethod
    def _server_url(cls, value: str) -> str:
        if problem := server_url_problem(value):
            raise ValueError(problem)
        return value

    @field_validator("printer_url")
    @classmethod
    def _printer_url(cls, value: str) -> str:
        if problem := printer_url_problem(value):
            raise ValueError(problem)
        return value


# The schemes of badge.printing.open_printer, each with what it needs after it.
PRINTER_EXAMPLES = {
    "tcp": "tcp://hôte:9100", "usb": "usb://04b8:0e15 (fabricant:produit en hexadécimal)",
    "serial": "serial:///dev/ttyUSB0", "file": "file:///dev/usb/lp0",
}


def printer_url_problem(url: str) -> str | None:
    """Why `url` names no receipt printer, in French; None if it does (or is empty)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in PRINTER_EXAMPLES:
        known = ", ".join(f"{scheme}://" for scheme in PRINTER_EXAMPLES)
        return f"imprimante « {url} » : type inconnu (attendus : {known})"
    wrong = f"imprimante « {url} » invalide (attendu : {PRINTER_EXAMPLES[parts.scheme]})"
    try:
        if parts.scheme == "tcp":
            parts.port  # noqa: B018 - raises ValueError for a port that is no number
            return None if parts.hostname else wrong
        if parts.scheme == "usb":
            vendor, product = parts.netloc.split(":")
            int(vendor, 16), int(product, 16)
            return None
        if parts.scheme == "serial":
            int(parse_qs(parts.query).get("baudrate", ["9600"])[-1])
    except ValueError:
        return wrong
    return None if parts.path else wrong
