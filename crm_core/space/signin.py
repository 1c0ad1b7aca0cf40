"""The end of a browser's sign-in with the online account: a session, then the space.

Called by the online-account callback (`integrations.account.router`) when the browser
asks for HTML; API clients still get the JSON answer. A subject already linked (or just
linked to a new file) is signed in and sent to `/espace/`; a subject whose verified
identity matches an existing file gets a pending session and the page where the person
confirms it is theirs (nothing is linked before they do).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from crm_core.space.sessions import (
    COOKIE,
    SignedIn,
    cookie_options,
    cookie_secure,
    start_session,
)
from crm_core.space.web import PREFIX, refusal, render, settings_of

# The sign-in started in this browser: without it, a callback URL made by someone else
# (their state and code) would sign this browser in as them (login CSRF).
LOGIN_COOKIE = "relais_connexion"
LOGIN_PATH = "/integrations/account/"


def _state_mac(request: Request, state: str) -> str:
    secret = settings_of(request).secret_key.get_secret_value().encode()
    return hmac.new(secret, b"oidc-state:" + state.encode(), hashlib.sha256).hexdigest()


def bind_browser(request: Request, response: Response, provider_url: str) -> None:
    """At the start of a sign-in: a short cookie naming the `state` sent to the provider."""
    [state] = parse_qs(urlsplit(provider_url).query).get("state", [""])[:1] or [""]
    if state:
        response.set_cookie(LOGIN_COOKIE, _state_mac(request, state), max_age=600,
                            path=LOGIN_PATH, httponly=True, samesite="lax",
                            secure=cookie_secure(settings_of(request)))


def started_here(request: Request, state: str | None) -> bool:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    return bool(state and len(state) <= 100 and cookie
                and hmac.compare_digest(cookie, _state_mac(request, state)))


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def signed_in_response(
    request: Request, db_session: Session, *, provider: str, subject: str,
    resident_id: uuid.UUID | None, proposal_token: str | None = None,
    proposal: dict[str, Any] | None = None,
) -> Response:
    """Start the session (the caller commits) and answer the browser."""
    settings = settings_of(request)
    token, row = start_session(db_session=db_session, settings=settings,
                               resident_id=resident_id, provider=provider, subject=subject)
    response: Response
    if resident_id is not None:
        response = RedirectResponse(f"{PREFIX}/", status_code=303)
    else:
        who = SignedIn(row.token_hash, None, provider, subject, row.expires_at)
        response = render(request, "pending.html", who=who, title="Est-ce bien votre dossier ?",
                          proposal=proposal, proposal_token=proposal_token)
    response.set_cookie(COOKIE, token, **cookie_options(settings))  # type: ignore[arg-type]
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    return response


def failed_sign_in(request: Request, detail: str, code: str) -> Response:
    return refusal(request, None, status_code=400, title="Connexion impossible",
                   message=f"{detail}. Vous pouvez réessayer depuis la page de connexion.",
                   log=f"online-account sign-in refused ({code})")
