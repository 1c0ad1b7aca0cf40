"""Showing a new QR badge once, across Post/Redirect/Get.

The POST issues the badge and answers 303; the page it redirects to shows the code. The
server never stores a token, so the POST hands it to the resident's own browser in a
cookie that lives two minutes, is scoped to the badge page, is bound (HMAC) to the session
that asked for it, and is replaced by the first page that shows it with a mark "shown"
(same lifetime, same binding): reloading that page shows no code, issues nothing, and says
the code was shown. Without the cookie (a bookmark, the history) the page claims nothing:
`?fait=badge` alone is not proof that a badge was just issued.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import Request
from fastapi.responses import Response

from crm_core.config import Settings
from crm_core.space.sessions import cookie_secure

COOKIE = "relais_badge"
PATH = "/espace/badge"
LIFETIME_SECONDS = 120


def _mac(settings: Settings, session_id: str, badge_id: str, token: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    message = f"badge-shown:{session_id}:{badge_id}:{token}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def hand_over(response: Response, *, settings: Settings, session_id: str,
              badge_id: str, token: str) -> None:
    # Base45 has spaces and colons, which a cookie value cannot carry as they are.
    packed = base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")
    value = f"{packed}.{badge_id}.{_mac(settings, session_id, badge_id, token)}"
    response.set_cookie(COOKIE, value, max_age=LIFETIME_SECONDS, path=PATH, httponly=True,
                        samesite="strict", secure=cookie_secure(settings))


def handed_over(request: Request, *, settings: Settings,
                session_id: str) -> tuple[str, str] | None:
    """The badge handed over to this session, if any (then `forget` it)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    packed, _, rest = value.partition(".")
    badge_id, _, mac = rest.partition(".")
    try:
        token = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)).decode()
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return None
    if not hmac.compare_digest(_mac(settings, session_id, badge_id, token), mac):
        return None
    return badge_id, token


_SHOWN = "vu"


def mark_shown(response: Response, *, settings: Settings, session_id: str) -> None:
    """Replace the code by the mark that it was shown (the token leaves the browser)."""
    response.set_cookie(COOKIE, f"{_SHOWN}.{_mac(settings, session_id, _SHOWN, '')}",
                        max_age=LIFETIME_SECONDS, path=PATH, httponly=True,
                        samesite="strict", secure=cookie_secure(settings))


def was_shown(request: Request, *, settings: Settings, session_id: str) -> bool:
    """A code was issued to this session and shown, minutes ago (a reload)."""
    kind, _, mac = (request.cookies.get(COOKIE) or "").partition(".")
    return kind == _SHOWN and hmac.compare_digest(_mac(settings, session_id, _SHOWN, ""), mac)
