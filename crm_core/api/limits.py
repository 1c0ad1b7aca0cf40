"""Refuse oversized request bodies before they are read into memory, NUL characters
anywhere in a request, and a JSON body that names one key twice.

The body is read here, up to the limit, and handed to the app from memory: an error
raised while the app itself reads would reach it as a parse failure (a 400), not a 413.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_core.api.problems import PageRefusal, problem_response
from crm_core.text import count, echoed

_NUL_MARKERS = (b"\x00", b"\\u0000")
_FORM_NUL_MARKERS = (b"\x00", b"%00")


NUL_TITLE = "Caractère non accepté"
NUL_MESSAGE = ("L'adresse de la page contient un caractère invisible (nul) qu'aucune page"
               " n'accepte. Rien n'a été enregistré : revenez à la page précédente.")


class BodySizeLimit:
    """`pages`: prefixes of HTML pages (the resident space, the opt-out page). There a
    form body with a NUL goes on to the page, which refuses it in French with the form
    and what was typed; a NUL in the address, or a body over the limit, gets `page`."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, pages: Iterable[str] = (),
                 page: PageRefusal | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.pages = tuple(pages)
        self.page = page

    def _html(self, scope: Scope) -> bool:
        return self.page is not None and scope["path"].startswith(self.pages)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large(scope, receive, send)
            return
        if _has_nul(scope):
            if self._html(scope):
                assert self.page is not None
                await self.page(scope, 400, NUL_TITLE, NUL_MESSAGE)(scope, receive, send)
                return
            await _refuse_nul(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        kind = headers.get(b"content-type", b"")
        form = kind.startswith(b"application/x-www-form-urlencoded")
        lowered = body.lower()
        markers = _FORM_NUL_MARKERS if form else _NUL_MARKERS
        if any(marker in lowered for marker in markers) and not (form and self._html(scope)):
            await _refuse_nul(scope, receive, send)
            return
        if (not kind or b"json" in kind) and (key := duplicated_key(body)) is not None:
            await _refuse_duplicate(key, scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: wait for the disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._html(scope):
            assert self.page is not None
            await self.page(scope, 413, TOO_LARGE_TITLE, too_large_message(self.max_bytes))(
                scope, receive, send)
            return
        response = problem_response(
            413, "payload_too_large", "Requête trop volumineuse",
            f"Le corps de la requête dépasse {count(self.max_bytes)} octets",
        )
        await response(scope, receive, send)


def _has_nul(scope: Scope) -> bool:
    """PostgreSQL cannot store a NUL in text, SQLite would, and no name, address or note
    ever holds one: refused up front, the same on both engines."""
    head = scope["path"].encode("utf-8", "surrogatepass") + b"?" + scope["query_string"]
    return b"\x00" in head or b"%00" in head


async def _refuse_nul(scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(
        422, "invalid_input", "Données invalides",
        "La requête contient un caractère nul (U+0000), qu'aucun champ n'accepte",
    )
    await response(scope, receive, send)


def duplicated_key(body: bytes) -> str | None:
    """The first key a JSON object of `body` names twice (`{"reason": "a", "reason": "b"}`),
    or None. JSON parsers keep the last value silently, so that what a sender (or a
    signature's author) read is not what is stored: every route's body, the signed
    webhooks' included, is refused here instead. A body that is not JSON is left to the
    route, which says why in its own words."""
    twice: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> None:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen and not twice:
                twice.append(key)
            seen.add(key)

    try:
        json.loads(body, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None
    return twice[0] if twice else None


async def _refuse_duplicate(key: str, scope: Scope, receive: Receive, send: Send) -> None:
    message = (f"la clé « {echoed(key)} » est donnée deux fois dans le JSON : une seule"
               " valeur par clé (rien n'a été enregistré)")
    response = problem_response(422, "invalid_input", "Données invalides",
                                f"corps : {message}",
                                errors=[{"field": "corps", "message": message}])
    await response(scope, receive, send)


TOO_LARGE_TITLE = "Envoi trop volumineux"


def too_large_message(limit: int) -> str:
    return (f"Le formulaire envoyé dépasse la taille permise ({count(limit)} octets). Rien n'a été"
            " enregistré : revenez à la page précédente, raccourcissez votre texte et"
            " réessayez.")
