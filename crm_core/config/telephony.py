"""Telephony settings (`RELAIS_TELEPHONY_*`) and the rules of their values (PBX names and
secrets), which the telephony domain and the PBX adapters share."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm_core.text import echoed, identifier_problem

MIN_SECRET_LENGTH = 24
PBX_NAME_MAX = 64  # the calls' `pbx` column


def pbx_name_problem(name: str) -> str | None:
    """Why `name` cannot name a PBX (sent in a header, stored with each call), in French,
    or None; the value itself is never quoted (it may be anything, of any length)."""
    if len(name) > PBX_NAME_MAX:
        return f"{PBX_NAME_MAX} caractères au plus (reçu : {len(name)})"
    return identifier_problem(name)


def parse_secrets(text: str) -> dict[str, list[str]]:
    """`pbx-a:secret1,pbx-a:secret2,pbx-b:secret3` -> {pbx: [secrets]}. Two secrets for one
    PBX are both accepted: that is how a rotation runs (add the new, move the PBX, drop the
    old)."""
    result: dict[str, list[str]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        pbx, sep, secret = item.partition(":")
        if not sep or not pbx or not secret:
            # Never quote the entry: it holds a secret.
            raise ValueError("RELAIS_TELEPHONY_PBX_SECRETS : chaque entrée s'écrit"
                             " AUTOCOMMUTATEUR:SECRET, séparées par des virgules")
        if problem := pbx_name_problem(pbx):  # the same rule as `relais phone ring --pbx`
            raise ValueError(f"RELAIS_TELEPHONY_PBX_SECRETS : nom d'autocommutateur refusé,"
                             f" {problem}")
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"RELAIS_TELEPHONY_PBX_SECRETS : le secret de « {echoed(pbx, 40)} »"
                             f" doit compter au moins {MIN_SECRET_LENGTH} caractères")
        result.setdefault(pbx, []).append(secret)
    return result


class TelephonySettings(BaseSettings):
    """Telephony: the events of the PBX adapters."""

    model_config = SettingsConfigDict(
        env_prefix="RELAIS_TELEPHONY_", env_file=".env", extra="ignore"
    )

    pbx_secrets: SecretStr = Field(
        default=SecretStr(""),
        description="PBX:SECRET pairs, comma-separated; two for one PBX during a rotation.",
    )
    timestamp_tolerance_seconds: int = Field(
        default=300, ge=5, le=3600,
        description="How far a signed event's signature time may be from the server's clock.")
    event_max_age_seconds: int = Field(
        default=12 * 3600, ge=60, le=7 * 86400,
        description="How old an event's own `timestamp` may be (an adapter that queued "
                    "it while the server was away); older, it is refused.",
    )
    event_max_ahead_seconds: int = Field(
        default=300, ge=0, le=3600,
        description="How far ahead of the server's clock an event's `timestamp` may be "
                    "(a PBX clock running fast); further, it is refused.",
    )

    @field_validator("pbx_secrets")
    @classmethod
    def _well_formed(cls, value: SecretStr) -> SecretStr:
        parse_secrets(value.get_secret_value())
        return value

    def secrets(self) -> dict[str, list[str]]:
        return parse_secrets(self.pbx_secrets.get_secret_value())

