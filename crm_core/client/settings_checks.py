"""What both workstation apps check in their settings, and how a refusal is said (in
French, naming the variable or the option the agent set)."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

# Error type of a refused setting whose sentence is ours: settings_refusal names its variable.
SETTING_VALUE = "setting_value"
# A number as an agent writes it in a variable: 2, 2.5 or 2,5; no exponent, no `1_0`
# (which Python's float() reads as 10), no "inf".
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def _written(number: float) -> str:
    """A bound as the agent would write it: « 0,1 », « 1440 », never « 1440.0 »."""
    return f"{number:g}".replace(".", ",")


def timed(low: float, high: float, unit: str) -> BeforeValidator:
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
# never run (a blank screen); an hour is the longest any of them makes sense. Documented
# in docs/counter.md.
Interval = Annotated[float, timed(0.1, 3600, "secondes")]
SearchDelay = Annotated[float, timed(0, 10, "secondes")]


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
