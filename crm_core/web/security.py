"""Security of server-rendered pages, reusable by every HTML surface of Relais.

- `SecurityHeaders`: an ASGI middleware that adds a strict Content-Security-Policy
  (`default-src 'self'`, no inline script, `frame-ancestors 'none'`), `nosniff`,
  `Referrer-Policy`, `Cache-Control: no-store`, and HSTS when the request came over HTTPS,
  to every response under the given path prefixes.
- `FormSizeLimit`: refuses request bodies over a (small) limit under given prefixes with a
  readable French HTML page (the API's `BodySizeLimit` answers problem+json instead).
- `csrf_token` / `csrf_valid`: a token derived from the server secret and the session's
  own id (HMAC-SHA256), so it is tied to one session, needs no storage, and is checked in
  constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_core.api.limits import TOO_LARGE_TITLE, too_large_message
from crm_core.api.problems import PageRefusal

security_log = logging.getLogger("relais.security")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"


def page_headers(*, https: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        "Cache-Control": "no-store",
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p.rstrip("/") or path.startswith(p) for p in prefixes)


def _is_https(scope: Scope) -> bool:
    return scope.get("scheme") == "https"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, prefixes: Iterable[str]) -> None:
        self.app = app
        self.prefixes = tuple(prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _under(scope["path"], self.prefixes):
            await self.app(scope, receive, send)
            return
        extra = page_headers(https=_is_https(scope))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


class FormSizeLimit:
    """Refuse bodies larger than `max_bytes` under `prefixes`, before they are read."""

    def __init__(self, app: ASGIApp, *, prefixes: Iterable[str], max_bytes: int,
                 page: PageRefusal) -> None:
        self.app = app
        self.prefixes = tuple(prefixes)
        self.max_bytes = max_bytes
        self.page = page  # the refusal in the pages' own layout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _under(scope["path"], self.prefixes):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        security_log.warning("form body over %d bytes refused on %s", self.max_bytes,
                             scope["path"])
        await self.page(scope, 413, TOO_LARGE_TITLE, too_large_message(self.max_bytes))(
            scope, receive, send)


class _TooLarge(Exception):
    pass


def csrf_token(secret: str, session_id: str) -> str:
    """The CSRF token of one session: HMAC-SHA256(server secret, "csrf:" + session id)."""
    return hmac.new(secret.encode(), b"csrf:" + session_id.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: str, session_id: str, submitted: str | None) -> bool:
    if not submitted or len(submitted) != 64:
        return False
    return hmac.compare_digest(csrf_token(secret, session_id), submitted)
