"""Checks of setting values that pydantic's types cannot say: read once at start, so that
a wrong time zone, region or key refuses the start in French instead of failing later on
the first request that needs it (a 500, a background thread dying)."""

from __future__ import annotations

import difflib
import re
from functools import cache
from zoneinfo import available_timezones

import phonenumbers

from badge import Keyring, SigningKey
from badge.keys import KeyFormatError
from crm_core.text import echoed


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _closest(value: str, known: frozenset[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1)
    return f" — vouliez-vous dire {close[0]} ?" if close else ""


# « UTC+1 », « GMT-3 », « +01:00 »: an offset, which the closest IANA name (« UTC ») is not.
_OFFSET = re.compile(r"^\s*(?:UTC|GMT|Z)?\s*[+-−]\s*\d", re.IGNORECASE)


def check_timezone(value: str) -> str:
    """A time zone of the IANA database (`Europe/Paris`, `America/Cayenne`)."""
    if value in _zones():
        return value
    unknown = f"fuseau horaire inconnu « {echoed(value)} »"
    if _OFFSET.match(value):
        # Never « vouliez-vous dire UTC ? »: a name is the city's rules, summer time too.
        raise ValueError(f"{unknown} : les noms IANA ne portent pas de décalage ; donnez celui"
                         " d'une ville du fuseau, par exemple Europe/Paris")
    raise ValueError(f"{unknown} (un nom de la base IANA, par exemple Europe/Paris)"
                     f"{_closest(value, _zones())}")


def check_phone_region(value: str) -> str:
    """A region whose national numbers can be read (ISO 3166 code: FR, BE, GP…)."""
    region = value.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"région téléphonique inconnue « {echoed(value, 20)} » (un code de pays à"
                         f" deux lettres, par exemple FR ou BE)")
    return region


def check_signing_key(text: str) -> None:
    """A badge signing key that loads; the key itself is never quoted."""
    try:
        SigningKey.from_text(text)
    except (KeyFormatError, ValueError):
        raise ValueError("clé illisible : le format attendu est ed25519-sk:IDENTIFIANT:clé"
                         " (voir docs/badges.md)") from None


def check_verify_keys(text: str) -> None:
    """Public keys still trusted during a rotation, each one loading."""
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    try:
        Keyring.from_text(entries)
    except (KeyFormatError, ValueError):
        raise ValueError("clé publique illisible : chaque clé s'écrit"
                         " ed25519-pk:IDENTIFIANT:clé, séparées par des virgules") from None
