"""What the residents' space needs from whoever manages the residents' online accounts.

The integrations implement it (OpenID Connect sign-in, linking an account to a file) and
hand it over as a plugin (`crm_core.plugins`); the space never imports them. Without such
a plugin, sign-in is simply unavailable.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Protocol, cast

from sqlalchemy.orm import Session

from crm_core.exceptions import NotFound
from crm_core.plugins import plugins

if TYPE_CHECKING:
    from crm_core.config import Settings


class LinkDecision(Protocol):
    """The account's subject, and the file it is now linked to."""

    @property
    def subject(self) -> str: ...

    @property
    def resident_id(self) -> uuid.UUID | None: ...


class OnlineAccounts(Protocol):
    def sign_in_available(self) -> bool:
        """Whether residents can sign in (the provider is configured)."""

    def provider_name(self) -> str:
        """The name the city's own provider is stored under (`AccountLink.provider`)."""

    def decide(self, *, db_session: Session, token: str, accept: bool) -> LinkDecision:
        """The person's answer to a proposed link: "this is my file" or not (raises a
        `DomainError` for a proposal unknown, expired or already decided)."""


class NoOnlineAccounts:
    """No plugin manages online accounts: nobody signs in."""

    def sign_in_available(self) -> bool:
        return False

    def provider_name(self) -> str:
        return ""

    def decide(self, *, db_session: Session, token: str, accept: bool) -> LinkDecision:
        raise NotFound("Aucun compte en ligne n'est géré ici")


def online_accounts(settings: Settings) -> OnlineAccounts:
    """The plugin's online accounts, made with the application's settings."""
    for plugin in plugins():
        if plugin.online_accounts is not None:
            return cast(OnlineAccounts, plugin.online_accounts(settings))
    return NoOnlineAccounts()
