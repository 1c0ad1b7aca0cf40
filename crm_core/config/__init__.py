"""Settings of the Relais server, read from `RELAIS_*` environment variables (or a `.env`).

One `Settings` object holds them all, built once at start and passed in (`create_app`,
the `app_settings` dependency, the CLI); its sections (`settings.security`,
`settings.telephony`) read the same variables as always (`RELAIS_SIGN_IN_*`,
`RELAIS_TELEPHONY_*`, ...), so no deployment has to rename anything. The plugins' sections
(`Plugin.settings`, e.g. the connectors') are built with it and read with
`settings.section(IntegrationSettings)`: a wrong one refuses every command, not one call.
"""

from __future__ import annotations

import ipaddress
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import platformdirs
from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm_core.config.checks import (
    check_phone_region,
    check_signing_key,
    check_timezone,
    check_verify_keys,
)
from crm_core.config.security import SecuritySettings
from crm_core.config.telephony import TelephonySettings
from crm_core.plugins import plugins
from crm_core.text import echoed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Only ever accepted in demo mode: a real deployment must set its own secret.
DEMO_SECRET_KEY = "relais-demo-secret-not-for-production-use-0000"  # noqa: S105

Section = TypeVar("Section", bound=BaseSettings)
_SESSION_KEY = "relais_settings"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("relais", appauthor=False))


class InsecureSettings(ValueError):
    """A setting that is only acceptable in demo mode was used outside it."""


class Settings(BaseSettings):
    """The server (`relais serve` and every command)."""

    model_config = SettingsConfigDict(
        env_prefix="RELAIS_", env_file=".env", extra="ignore", allow_inf_nan=False)

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. `postgresql://relais@db/relais`. Empty: embedded"
        " SQLite `relais.db` in the data directory (or the demo's `demo.db`).",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the embedded database lives.",
        json_schema_extra={"shown_default": "user data dir (`~/.local/share/relais`)"},
    )
    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description="Server secret (keyed hashes, signed links), at least 32 characters;"
        " **required** outside demo mode (the demo one is refused).",
    )
    demo_mode: bool = Field(
        default=False, description="Demo mode: allows the built-in demo secret.")
    token_ttl_minutes: int = Field(
        default=600, ge=5, le=24 * 60,
        description="Lifetime of an agent's session token (a working day).",
    )
    api_docs: bool | None = Field(
        default=None,
        description="Serve the interactive API pages /docs and /redoc (empty: in demo mode"
        " only). The description itself stays at /openapi.json.",
    )
    agent_idle_minutes: int = Field(
        default=60, ge=0, le=24 * 60,
        description="An agent's session unused this long expires (0: only the lifetime).",
    )
    activation_code_hours: int = Field(
        default=72, ge=1, le=30 * 24,
        description="An agent's one-time activation code expires after this many hours.",
    )
    default_phone_region: str = Field(
        default="FR", description="Region of phone numbers written without a country code.")
    city_name: str = Field(
        default="Ville de démonstration", description="The city's name as shown to people.")
    timezone: str = Field(default="Europe/Paris", description="Local time zone of the city.")
    max_request_bytes: int = Field(
        default=1_000_000, ge=1024, description="Larger request bodies are refused (413).")
    db_pool_size: int = Field(
        default=10, ge=1,
        description="PostgreSQL connections per API process (plus as many overflow).")
    log_sql: bool = Field(default=False, description="Echo SQL statements (debugging).")
    badge_issuer: str = Field(
        default="00000", pattern=r"^[0-9A-Z]{1,9}$",
        description="The city's INSEE code (or SIREN) in its badges; others are refused.",
    )
    badge_signing_key: SecretStr | None = Field(
        default=None,
        description="'ed25519-sk:ID:…' (badge.keys). Empty: derived from the secret key.",
    )
    badge_verify_keys: str = Field(
        default="",
        description="Older public keys (`ed25519-pk:ID:…`, comma-separated) still trusted"
        " during a rotation."
    )
    badge_validity_days: int = Field(
        default=3 * 365, ge=1, le=10 * 365, description="Lifetime of a new badge.")
    access_log_shows_agent_names: bool = Field(
        default=False,
        description="Residents see the name of each agent who consulted their file (else"
        " the role and site only).",
    )
    audit_retention_days: int = Field(
        default=365, ge=1, description="Access-log rows older than this are purged (CNIL)."
    )
    resident_retention_days: int = Field(
        default=3 * 365, ge=30,
        description="A resident with no exchange, no open request and no change for this"
        " long is erased (made anonymous) by `relais retention run`.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where residents reach this server (links in reminders).",
    )
    smtp_url: str = Field(
        default="",
        description="`smtp://host:port` (STARTTLS when offered) or"
        " `smtps://user:password@host:465`, for reminders by e-mail.")
    mail_from: str = Field(default="ne-pas-repondre@mairie.example",
                           description="Sender address of reminders.")
    sms_gateway_url: str = Field(default="", description="The city's HTTP SMS gateway: Relais POSTs"
        ' `{"to", "text"}` with the bearer token.')
    sms_gateway_token: SecretStr = Field(
        default=SecretStr(""), description="Bearer token of the SMS gateway.")
    resident_session_minutes: int = Field(
        default=60, ge=5, le=24 * 60,
        description="Lifetime of a resident's signed-in session in their space.",
    )
    audit_seal_seconds: float = Field(
        default=5.0, ge=0, le=86_400,
        description="How often the server seals new access-log rows into the hash chain"
        " (0: never; then run `relais audit seal` from a timer).",
    )

    report_fold_seconds: float = Field(
        default=5.0, ge=0, le=86_400,
        description="How often the server folds recent writes into the reports' roll-ups"
        " (0: never; reports still fold what is left before they read).",
    )
    trusted_proxies: str = Field(
        default="",
        description="Reverse proxies whose X-Forwarded-For/-Proto headers are believed"
        " (comma-separated addresses or networks, '*' for any). Empty: none, the client's"
        " address is the connection's.",
    )
    security: SecuritySettings = Field(
        default_factory=SecuritySettings,
        description="Rate limits and lock-outs (`RELAIS_SIGN_IN_*`, `RELAIS_LOOKUP_*`, ...).",
    )
    telephony: TelephonySettings = Field(
        default_factory=TelephonySettings,
        description="The PBX adapters' events (`RELAIS_TELEPHONY_*`).",
    )
    # The plugins' sections (`Plugin.settings`), by class: compared with the rest, so two
    # `Settings` read from the same environment are equal.
    _sections: dict[type[BaseSettings], BaseSettings] = PrivateAttr(default_factory=dict)

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        # Built here, not in a validator: a plugin's ValidationError (or SettingsError)
        # reaches the caller as its own, naming its variables.
        self._sections = {kind: kind() for kind in (
            plugin.settings() for plugin in plugins() if plugin.settings is not None)}

    def session_info(self) -> dict[str, Any]:
        """What a session factory puts in each `session.info` (`make_session_factory`): the
        settings, for SQLAlchemy flush listeners, which nothing can hand them to."""
        return {_SESSION_KEY: self}

    def section(self, kind: type[Section]) -> Section:
        """The settings a plugin declared (`Plugin.settings`), built with these."""
        found = self._sections.get(kind)
        if not isinstance(found, kind):
            raise LookupError(f"no installed plugin declares the settings {kind.__name__}")
        return found

    @field_validator("timezone", mode="before")
    @classmethod
    def _empty_zone_is_the_default(cls, value: object) -> object:
        # RELAIS_TIMEZONE= (set, empty): the default, as for an unset variable.
        empty = isinstance(value, str) and not value.strip()
        return cls.model_fields["timezone"].default if empty else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("default_phone_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        return check_phone_region(value)

    @field_validator("badge_signing_key")
    @classmethod
    def _loadable_signing_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            check_signing_key(value.get_secret_value())
        return value

    @field_validator("badge_verify_keys")
    @classmethod
    def _loadable_verify_keys(cls, value: str) -> str:
        check_verify_keys(value)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        for entry in entries:
            if entry == "*" or entry.startswith("unix:"):
                continue
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"RELAIS_TRUSTED_PROXIES : « {echoed(entry)} » n'est ni une adresse IP, ni"
                    " un réseau (192.0.2.0/24), ni « * »") from None
        return ",".join(entries)

    @property
    def docs_served(self) -> bool:
        """Whether /docs and /redoc are served (the server and its start banner agree)."""
        return self.demo_mode if self.api_docs is None else self.api_docs

    @property
    def proxy_options(self) -> dict[str, Any]:
        """uvicorn's proxy options. Off unless proxies are named: uvicorn otherwise believes
        X-Forwarded-For from 127.0.0.1, so anyone on the machine could pose as any address
        (and lock agents out, the sign-in lock-out being per account and address)."""
        return {"proxy_headers": bool(self.trusted_proxies),
                "forwarded_allow_ips": self.trusted_proxies or []}

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.demo_mode:
            if not secret:
                self.secret_key = SecretStr(DEMO_SECRET_KEY)
            return self
        if not secret or secret == DEMO_SECRET_KEY:
            raise InsecureSettings(
                "RELAIS_SECRET_KEY doit être un secret propre à votre installation (au moins"
                " 32 caractères) hors du mode démonstration ; pour en créer un : python3 -c"
                " 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if len(secret) < 32:
            raise InsecureSettings("RELAIS_SECRET_KEY doit compter au moins 32 caractères")
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'relais.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def session_settings(db_session: Session) -> Settings | None:
    """The settings its factory gave `db_session` (`Settings.session_info`): None for a
    session made without them."""
    found = db_session.info.get(_SESSION_KEY)
    return found if isinstance(found, Settings) else None


def settings_for_validators() -> Settings:
    """The one reading point of the settings below the entry points: pydantic validators
    of request bodies and platform events (a birth date not in the city's future, a phone
    number in the city's region) run where nothing can hand them the settings, FastAPI
    giving pydantic no context. Everything else receives the settings it needs."""
    return get_settings()


def city_today(timezone: str) -> date:
    """Today in the city (`timezone`, i.e. `Settings.timezone`): never the server machine's
    own date, which a server kept on UTC (or anywhere else) has at another day around
    midnight."""
    return datetime.now(ZoneInfo(timezone)).date()
