"""Settings of the connectors, read from `RELAIS_*` variables like the server's own.

Kept apart from `crm_core.config.Settings` so that a deployment without connectors carries
none of them; the server reads them through `get_integration_settings()` (cached, cleared
by the tests like the server's).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SourceKind = Literal["standard", "wcs", "ds", "open311"]


class SourceConfig(BaseModel):
    """One e-services platform that talks to Relais."""

    kind: SourceKind = "standard"
    # Standard Webhooks secrets (`whsec_<base64>`) accepted inbound; several during a rotation.
    secrets: list[SecretStr] = Field(default_factory=list)
    # Where status changes of its cases are delivered (empty: nothing is sent back).
    outbound_url: str | None = None
    outbound_secret: SecretStr | None = None
    # w.c.s.: signed-URL authentication (orig and shared key), base URL of its API.
    api_url: str | None = None
    orig: str | None = None
    api_key: SecretStr | None = None
    # The `orig` w.c.s. signs its own calls with (its domain); any other is refused.
    inbound_orig: str | None = None
    # Refuse a call whose signed URL names neither its body's digest (`body_sha256`) nor
    # its form (`form`): only the nonce then stops a URL seen in transit being replayed.
    require_body_binding: bool = False
    # Démarches Simplifiées: bearer token and the démarches to poll.
    token: SecretStr | None = None
    demarches: list[int] = Field(default_factory=list)
    # The DS instructeur (profile id) who signs the state changes Relais sends back.
    instructeur_id: str | None = None
    # Service code of the cases it creates when the event names none.
    default_service: str | None = None
    # Platform form/procedure/service code -> Relais service code.
    services: dict[str, str] = Field(default_factory=dict)
    # Platform status (w.c.s. status id, DS state) -> Relais status, and back: Relais
    # status -> w.c.s. jump trigger (DS: the target state, e.g. {"closed": "refuse"}).
    status_map: dict[str, str] = Field(default_factory=dict)
    triggers: dict[str, str] = Field(default_factory=dict)
    # The online-account provider whose subjects this platform sends (Publik NameID).
    account_provider: str = "compte-unique"
    # Generic events only: acknowledge on receipt (202, once verified and stored in the
    # inbox) and let `relais worker` turn them into cases, instead of answering after.
    deferred: bool = False


    @model_validator(mode="after")
    def _ds_targets(self) -> SourceConfig:
        if self.kind == "ds":
            allowed = {"en_instruction", "accepte", "refuse", "sans_suite"}
            wrong = sorted(v for v in self.triggers.values() if v not in allowed)
            if wrong:
                raise ValueError(f"Démarches Simplifiées triggers: unknown state(s) {wrong}"
                                 f" (one of {sorted(allowed)})")
        return self


class IntegrationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_", env_file=".env", extra="ignore")

    webhook_sources: dict[str, SourceConfig] = Field(
        default_factory=dict,
        description="JSON: {source name: SourceConfig}. Unknown sources are refused.",
    )
    inbox_retention_hours: int = Field(default=72, ge=72)
    outbound_allow_private: bool = Field(
        default=False,
        description="Deliver to loopback/private addresses (SSRF guard off): tests, intranets.",
    )
    outbound_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    outbound_retry_hours: int = Field(default=80, ge=72)
    outbound_lease_seconds: int = Field(default=60, ge=1)

    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_redirect_uri: str | None = None
    oidc_scopes: str = "openid profile birth email phone"
    oidc_provider_name: str = Field(default="compte-unique", pattern=r"^[\w.-]{1,50}$")
    oidc_identity_verified: bool = Field(
        default=False,
        description="The provider vouches for identity claims (FranceConnect): only then "
        "may a first sign-in be matched to an existing resident.",
    )
    oidc_allow_http: bool = Field(default=False, description="Plain-HTTP issuer (tests only).")

    open311_api_keys: list[SecretStr] = Field(default_factory=list)
    open311_jurisdiction: str = "relais"
    open311_source: str = "open311"
    open311_duplicate_window_seconds: int = Field(
        default=600, ge=0, le=86_400,
        description="The same report from the same app within this window is a retry.")

    @field_validator("webhook_sources")
    @classmethod
    def _source_names(cls, value: dict[str, SourceConfig]) -> dict[str, SourceConfig]:
        for name in value:
            if not name or len(name) > 50 or not name.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"invalid source name {name!r} (letters, digits, - and _)")
        return value

    @model_validator(mode="after")
    def _lease_outlives_a_send(self) -> IntegrationSettings:
        if self.outbound_lease_seconds < 2 * self.outbound_timeout_seconds:
            raise ValueError("RELAIS_OUTBOUND_LEASE_SECONDS must be at least twice the send"
                             " timeout (a batch is one wave of parallel sends)")
        return self


@lru_cache
def get_integration_settings() -> IntegrationSettings:
    return IntegrationSettings()
