"""Settings of the connectors, read from `RELAIS_*` variables like the server's own.

A section of the one `crm_core.config.Settings`, declared by the plugin
(`Plugin.settings`) so that the core names none of them: built with it (a broken
`RELAIS_WEBHOOK_SOURCES` refuses every command) and read with
`settings.section(IntegrationSettings)` (`integrations.deps.Config` in the routes, the
session's settings in the outbox's flush listener).
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StrictBool,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm_core.cases.enums import CaseStatus
from crm_core.residents.accounts import normalise_provider
from integrations.webhooks.signature import BadSecret, decode_secret

# The providers' rule of `crm_core.residents.accounts`: what the links are stored under.
_PROVIDER = r"^[A-Za-z0-9._-]{1,50}$"
SourceKind = Literal["standard", "wcs", "ds", "open311"]
_KIND_LABELS = {"standard": "Standard Webhooks", "wcs": "w.c.s.", "ds": "Démarches Simplifiées",
                "open311": "Open311"}
# What a kind cannot work without: a source lacking it would answer « source inconnue » or
# « plateforme injoignable » at every call, which says nothing of the configuration.
_NEEDS: dict[str, tuple[str, ...]] = {"standard": ("secrets",),
                                      "wcs": ("api_url", "orig", "api_key"),
                                      "ds": ("api_url", "token"), "open311": ()}
# Keys of one kind only: given to another (« secrets » on a w.c.s. source), they are a
# mix-up, not a setting.
_ONLY_FOR = {"secrets": ("standard",), "api_key": ("wcs",), "orig": ("wcs",),
             "inbound_orig": ("wcs",), "require_body_binding": ("wcs",), "token": ("ds",),
             "demarches": ("ds",), "instructeur_id": ("ds",)}


class SourceConfig(BaseModel):
    """One e-services platform that talks to Relais."""

    model_config = ConfigDict(extra="forbid")  # a mistyped key is said at start, not ignored

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
    require_body_binding: StrictBool = False  # « yes » is a typo, not a yes
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
    account_provider: str = Field(default="compte-unique", pattern=_PROVIDER)
    # Generic events only: acknowledge on receipt (202, once verified and stored in the
    # inbox) and let `relais worker` turn them into cases, instead of answering after.
    deferred: StrictBool = False

    @field_validator("account_provider")
    @classmethod
    def _lower_provider(cls, value: str) -> str:
        return normalise_provider(value)

    @model_validator(mode="after")
    def _ds_targets(self) -> SourceConfig:
        if self.kind == "ds":
            allowed = {"en_instruction", "accepte", "refuse", "sans_suite"}
            wrong = sorted(v for v in self.triggers.values() if v not in allowed)
            if wrong:
                raise ValueError(f"Démarches Simplifiées triggers: unknown state(s) {wrong}"
                                 f" (one of {sorted(allowed)})")
        return self

    def problem(self) -> str | None:
        """What keeps this source from working (missing or misplaced keys), in French."""
        kind = _KIND_LABELS[self.kind]
        missing = [key for key in _NEEDS[self.kind] if not getattr(self, key)]
        foreign = [key for key, kinds in _ONLY_FOR.items()
                   if key in self.model_fields_set and self.kind not in kinds]
        said = [f"clé « {key} » manquante ou vide (requise pour une source {kind})"
                for key in missing]
        said += [f"clé « {key} » inattendue pour une source {kind} (elle sert aux sources "
                 f"{' ou '.join(_KIND_LABELS[k] for k in _ONLY_FOR[key])})" for key in foreign]
        said += self._unusable_values()
        return " ; ".join(said) or None

    def _unusable_values(self) -> list[str]:
        """Values that parse but cannot work: each would fail at every call (a 500, or a
        platform never reached), so they are said at start instead."""
        said = []
        for number, secret in enumerate(self.secrets, start=1):
            try:
                decode_secret(secret.get_secret_value())
            except BadSecret as exc:
                said.append(f"clé « secrets » (n° {number}) : {exc}")
        if self.outbound_secret is not None:
            try:
                decode_secret(self.outbound_secret.get_secret_value())
            except BadSecret as exc:
                said.append(f"clé « outbound_secret » : {exc}")
        if bool(self.outbound_url) != (self.outbound_secret is not None):
            # Each without the other: every delivery would fail, retried for hours.
            said.append("clés « outbound_url » et « outbound_secret » : l'une ne va pas "
                        "sans l'autre (adresse de livraison et secret de signature)")
        for key in ("api_url", "outbound_url"):
            url = getattr(self, key)
            if url and not _is_web_url(url):
                said.append(f"clé « {key} » : adresse http(s):// complète attendue")
        known = {status.value for status in CaseStatus}
        wrong = sorted({value for value in self.status_map.values() if value not in known})
        if wrong:
            said.append(f"clé « status_map » : statut(s) inconnu(s) {', '.join(wrong)}"
                        f" (parmi {', '.join(sorted(known))})")
        return said


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unparsable port or bracket
        return False


class IntegrationSettings(BaseSettings):
    """The connectors: e-services platforms, online accounts, Open311."""

    model_config = SettingsConfigDict(
        env_prefix="RELAIS_", env_file=".env", extra="ignore", allow_inf_nan=False)

    webhook_sources: dict[str, SourceConfig] = Field(
        default_factory=dict,
        description="The e-services platforms, JSON: {source name: {`kind` (`standard`,"
        " `wcs`, `ds`, `open311`), `secrets`, `outbound_url`, ...}} (docs/integrations.md)."
        " Unknown sources are refused.",
        json_schema_extra={"shown_default": "`{}`"},
    )
    inbox_retention_hours: int = Field(
        default=72, ge=72,
        description="How long received event ids are kept; `relais integrations purge`"
        " forgets older ones.")
    outbound_allow_private: bool = Field(
        default=False,
        description="Deliver to loopback/private addresses (SSRF guard off): tests, intranets.",
    )
    outbound_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="Timeout of one delivery.")
    outbound_retry_hours: int = Field(
        default=80, ge=72, description="How long a failing delivery is retried.")
    outbound_lease_seconds: int = Field(
        default=60, ge=1,
        description="A worker's hold on an event it is sending (at least twice the timeout).")

    oidc_issuer: str | None = Field(
        default=None,
        description="The provider's issuer URL (discovery at"
        " `/.well-known/openid-configuration`).")
    oidc_client_id: str | None = Field(
        default=None, description="Relais' client id at the provider.")
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="Relais' client secret (`client_secret_basic`).")
    oidc_redirect_uri: str | None = Field(
        default=None, description="`https://relais…/integrations/account/callback`.")
    oidc_scopes: str = Field(
        default="openid profile birth email phone", description="Scopes asked for.")
    oidc_provider_name: str = Field(
        default="compte-unique", pattern=_PROVIDER,
        description="The provider's name in account links"
        " (`/lookup?account=compte-unique:SUB`).")
    oidc_identity_verified: bool = Field(
        default=False,
        description="The provider vouches for identity claims (FranceConnect): only then "
        "may a first sign-in be matched to an existing resident.",
    )
    oidc_allow_http: bool = Field(default=False, description="Plain-HTTP issuer (tests only).")

    open311_api_keys: list[SecretStr] = Field(
        default_factory=list, description="JSON list of the accepted Open311 `api_key`s.",
        json_schema_extra={"shown_default": "`[]`"})
    open311_jurisdiction: str = Field(
        default="relais", description="The `jurisdiction_id` accepted.")
    open311_source: str = Field(
        default="open311", description="`external_system` of the cases Open311 creates.")
    open311_duplicate_window_seconds: int = Field(
        default=600, ge=0, le=86_400,
        description="The same report from the same app within this window is a retry.")

    @field_validator("oidc_provider_name")
    @classmethod
    def _lower_provider(cls, value: str) -> str:
        return normalise_provider(value)

    @field_validator("webhook_sources")
    @classmethod
    def _source_names(cls, value: dict[str, SourceConfig]) -> dict[str, SourceConfig]:
        for name in value:
            if not name or len(name) > 50 or not name.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"nom de source invalide « {name[:60]} » : lettres, chiffres,"
                                 " - et _ seulement (50 au plus)")
        said = [f"source « {name} » : {problem}" for name, config in value.items()
                if (problem := config.problem()) is not None]
        if said:
            raise ValueError(" ; ".join(said))
        return value

    @model_validator(mode="after")
    def _lease_outlives_a_send(self) -> IntegrationSettings:
        if self.outbound_lease_seconds < 2 * self.outbound_timeout_seconds:
            raise ValueError("RELAIS_OUTBOUND_LEASE_SECONDS must be at least twice the send"
                             " timeout (a batch is one wave of parallel sends)")
        return self
