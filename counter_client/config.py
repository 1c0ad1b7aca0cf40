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
    """The counter workstation (`relais counter`)."""

    model_config = SettingsConfigDict(
        env_prefix="RELAIS_COUNTER_", env_file=".env", extra="ignore"
    )

    server_url: str = Field(
        default="http://127.0.0.1:8000", description="The Relais server.")
    data_dir: Path = Field(
        default_factory=lambda: default_data_dir() / "counter",
        description="Offline journal, print spool and the day's session token.",
        json_schema_extra={"shown_default": "user data dir + `/counter`"})
    printer_url: str = Field(
        default="",
        description="tcp://host:9100, usb://vid:pid, serial:///dev/ttyUSB0,"
        " file:///dev/usb/lp0; empty: no printer.")
    card_reader: Literal["none", "pcsc"] = Field(
        default="none", description="`pcsc`: a contactless card reader.")
    theme: Literal["standard", "contraste"] = Field(
        default="standard", description="`contraste`: high contrast.")
    sync_interval_seconds: Interval = Field(
        default=5.0, description="How often kept items are offered to the server again.")
    health_interval_seconds: Interval = Field(
        default=3.0,
        description="How often the idle app asks the server's /health (its top line).")
    print_retry_seconds: Interval = Field(
        default=5.0, description="Waiting print jobs are retried this often.")
    print_max_wait_minutes: WaitMinutes = Field(
        default=10.0,
        description="A job waiting longer is not printed without asking the agent (the"
        " person has probably left the desk). At most a day.")
    search_delay_seconds: SearchDelay = Field(
        default=0.2, description="Pause after typing before the search is sent.")
    follow_url: str = Field(
        default="",
        description="Shown on printed receipts (the site's name comes from the server).")

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
