"""Residents' sign-in with the online account: `/integrations/account/…`."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict

from crm_core.api.deps import AppSettings, DbSession
from crm_core.exceptions import DomainError
from crm_core.space import signin as space
from integrations.account import service
from integrations.account.backend import AuthlibOnlineAccount, OnlineAccount
from integrations.deps import Config
from integrations.exceptions import OidcError, OidcNotConfigured

logger = logging.getLogger("relais.integrations")
router = APIRouter(prefix="/integrations/account", tags=["online account"])


@lru_cache(maxsize=4)
def _account(issuer: str, client_id: str, secret: str, redirect: str, scopes: str) -> OnlineAccount:
    return AuthlibOnlineAccount(issuer=issuer, client_id=client_id, client_secret=secret,
                                redirect_uri=redirect, scopes=scopes)


def online_account(config: Config) -> OnlineAccount:
    if not (config.oidc_issuer and config.oidc_client_id and config.oidc_client_secret
            and config.oidc_redirect_uri):
        raise OidcNotConfigured("Le compte en ligne n'est pas configuré (RELAIS_OIDC_*)")
    return _account(config.oidc_issuer, config.oidc_client_id,
                    config.oidc_client_secret.get_secret_value(), config.oidc_redirect_uri,
                    config.oidc_scopes)


Account = Annotated[OnlineAccount, Depends(online_account)]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accept: bool


def _settled(db_session: Any, exc: DomainError, what: str) -> None:
    db_session.commit()  # a used state or proposal stays used
    logger.warning("online account %s refused (%s): %s", what, exc.code, exc.detail)


@router.get("/login", status_code=302, response_class=RedirectResponse)
def login(request: Request, db_session: DbSession, account: Account) -> RedirectResponse:
    """Starts a sign-in: redirects the browser to the online account (and ties the
    sign-in to this browser with a short cookie, checked when it comes back)."""
    url = service.start(db_session=db_session, account=account)
    response = RedirectResponse(url, status_code=302)
    space.bind_browser(request, response, url)
    return response


@router.get("/callback", response_model=None)
def callback(
    request: Request, db_session: DbSession, account: Account, config: Config,
    settings: AppSettings, state: str | None = None, code: str | None = None,
    error: str | None = None,
) -> dict[str, Any] | Response:
    """The provider sends the browser back here. First sign-in links the subject. A
    browser (Accept: text/html) gets a resident session and the resident space; other
    clients get the outcome as JSON. Either way, only the client that started the sign-in
    (its binding cookie) may finish it: the `Accept` header is the caller's to choose."""
    if not space.started_here(request, state):
        detail = "Cette connexion n'a pas été commencée dans ce navigateur"
        if space.wants_html(request):
            return space.failed_sign_in(request, detail, "login_not_started_here")
        raise OidcError(detail)
    try:
        signed_in = service.finish(
            db_session=db_session, account=account, provider=config.oidc_provider_name,
            identity_verified=config.oidc_identity_verified, state=state, code=code,
            timezone=settings.timezone, phone_region=settings.default_phone_region,
            error=error)
    except DomainError as exc:
        db_session.rollback()
        _consume(db_session, state)
        _settled(db_session, exc, "callback")
        if space.wants_html(request):
            return space.failed_sign_in(request, exc.detail, exc.code)
        raise
    if space.wants_html(request):
        response = space.signed_in_response(
            request, db_session, provider=config.oidc_provider_name,
            subject=signed_in.subject, resident_id=signed_in.resident_id,
            proposal_token=signed_in.proposal_token, proposal=signed_in.proposal)
        return response
    return signed_in.as_dict()


def _consume(db_session: Any, state: str | None) -> None:
    from integrations.models import OidcLogin

    if state and len(state) <= 100:
        login_row = db_session.get(OidcLogin, state)
        if login_row is not None:
            db_session.delete(login_row)


@router.post("/proposals/{token}")
def decide(token: str, data: Decision, db_session: DbSession, config: Config,
           settings: AppSettings) -> dict[str, Any]:
    """The person says whether the proposed file is theirs."""
    try:
        signed_in = service.decide(db_session=db_session, token=token[:100],
                                   accept=data.accept, timezone=settings.timezone,
                                   phone_region=settings.default_phone_region)
    except DomainError:
        db_session.rollback()
        raise
    return signed_in.as_dict()
