"""The integrations as a plugin of the Relais server (entry point `relais.plugins`).

The core never imports this package: it finds this object through the entry point
declared in pyproject.toml and asks it for its models, routes, registrations, settings
class and run state. Kept cheap to import: each part loads its modules when called.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from crm_core.plugins import Plugin

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI
    from pydantic_settings import BaseSettings

    from crm_core.config import Settings
    from integrations.account.service import SignIn
    from integrations.settings import IntegrationSettings


def _register() -> None:
    from integrations import erasure
    from integrations.outbox import hooks

    erasure.register_hooks()
    hooks.install()  # the outbox listener is part of the process as soon as connectors are


def _settings() -> type[BaseSettings]:
    from integrations.settings import IntegrationSettings

    return IntegrationSettings


def _routers() -> Sequence[APIRouter]:
    from integrations.router import router

    return (router,)


def _start(app: FastAPI) -> None:
    """The webhooks' grouped acknowledgements, made anew for each run of the application."""
    from integrations.inbound.acks import InboxAcks, ThreadedStore
    from integrations.inbound.pg_acks import PgAsyncStore

    engine = app.state.engine
    app.state.inbox_acks = InboxAcks(
        PgAsyncStore(engine.url) if engine.dialect.name == "postgresql"
        else ThreadedStore(app.state.session_factory))


async def _stop(app: FastAPI) -> None:
    await app.state.inbox_acks.close()


class OidcAccounts:
    """The residents' space's online accounts (`crm_core.space.accounts.OnlineAccounts`),
    made with the application's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def sign_in_available(self) -> bool:
        config = self._connectors()
        return bool(config.oidc_issuer and config.oidc_client_id and config.oidc_redirect_uri)

    def provider_name(self) -> str:
        return self._connectors().oidc_provider_name

    def _connectors(self) -> IntegrationSettings:
        from integrations.settings import IntegrationSettings

        return self.settings.section(IntegrationSettings)

    def decide(self, *, db_session: Session, token: str, accept: bool) -> SignIn:
        from integrations.account import service

        return service.decide(db_session=db_session, token=token, accept=accept,
                              timezone=self.settings.timezone,
                              phone_region=self.settings.default_phone_region)


plugin = Plugin(
    name="integrations",
    models="integrations.models",
    register=_register,
    settings=_settings,
    routers=_routers,
    start=_start,
    stop=_stop,
    page_prefixes=("/integrations/account/",),
    online_accounts=OidcAccounts,
)
