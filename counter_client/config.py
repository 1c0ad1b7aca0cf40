"""Settings of one counter workstation (environment variables `RELAIS_COUNTER_*`)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import BeforeValidator, Field, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from counter_client.private_files import empty_data_dir_problem
from crm_core.config import default_data_dir

# Error type of a refused setting whose sentence is ours: settings_refusal names its variable.
SETTING_VALUE = "setting_value"
# A number as an agent writes it in a variable: 2, 2.5 or 2,5; no exponent, no `1_0`
# (which Python's float() reads as 10), no "inf".
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def _written(number: float) -> str:
    """A bound as the agent would write it: « 0,1 », « 1440 », never « 1440.0 »."""
    return f"{number:g}".replace(".", ",")


def _timed(low: float, high: float, unit: str) -> BeforeValidator:
    def check(value: object) -> float:
        if isinstance(value, str):
            if value.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
                raise PydanticCustomError(SETTING_VALUE, "nombre fini attendu")
            # Not stripped: « sans espace » as the refusal says, around the number too.
            if not _DECIMAL.fullmatch(value):
                raise PydanticCustomError(SETTING_VALUE, "nombre attendu, écrit 2,5 ou 2.5"
                                          " (sans espace, « _ » ni exposant)")
            number = float(value.replace(",", "."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        else:
            raise PydanticCustomError(SETTING_VALUE, "nombre attendu")
        if not math.isfinite(number):
            raise PydanticCustomError(SETTING_VALUE, "nombre fini attendu")
        if not low <= number <= high:
            raise PydanticCustomError(
                SETTING_VALUE, f"valeur entre {_written(low)} et {_written(high)} {unit}"
                " attendue")
        return number

    return BeforeValidator(check)


# Bounds of the timed settings (issue 19): a tiny, negative or nan period would spin or
# never run (a blank screen); an hour is the longest any of them makes sense. README
# ("Settings") documents them.
Interval = Annotated[float, _timed(0.1, 3600, "secondes")]
SearchDelay = Annotated[float, _timed(0, 10, "secondes")]
# A receipt's wait: from a minute (the person may still be at the desk) to a day.
WaitMinutes = Annotated[float, _timed(1, 1440, "minutes")]


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


def server_url_problem(url: str) -> str | None:
    """Why `url` cannot be the Relais server's address, in French; None if it can."""
    example = "attendu : http:// ou https:// puis le nom du serveur, ex. https://relais.mairie.fr"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return f"adresse du serveur « {url} » illisible ({example})"
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        return f"adresse du serveur « {url} » invalide ({example})"
    return None


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


def settings_refusal(
    errors: list[Any], *, prefix: str, options: dict[str, str] | None = None
) -> str:
    """Each refused setting in French, named as the agent set it: its option, else its
    environment variable (our validators' own sentences already name the value)."""
    from crm_core.validation_messages import french_message

    reasons = []
    for error in errors:
        message = error["msg"] if error.get("type") == SETTING_VALUE else french_message(error)
        field = str(error["loc"][0]) if error.get("loc") else ""
        if error.get("type") == "value_error" or not field:
            reasons.append(message)
            continue
        variable = f"{prefix}{field.upper()}"
        option = (options or {}).get(field)
        reasons.append(f"{option} ou {variable} : {message}" if option
                       else f"{variable} : {message}")
    return f"Configuration refusée : {'; '.join(reasons)}."
