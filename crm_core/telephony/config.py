"""Telephony settings (`RELAIS_TELEPHONY_*`), kept beside the domain that reads them."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm_core.telephony.signing import parse_secrets


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

