"""The methods an address takes, across every route of it.

A page that shows a form (GET) and receives it (POST) is two routes; Starlette's 405
names the methods of the first route whose path matches, so a PUT to such a page said
`Allow: GET` while the page takes POST too. Asked here of every route instead.

HEAD is answered wherever GET is (`HeadAsGet`): FastAPI's routes name GET alone, so
Starlette refused HEAD with a 405 although the page is there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_CATCH_ALL = "_relais_catch_all"
Endpoint = Callable[..., Any]


def catch_all(endpoint: Endpoint) -> Endpoint:
    """Marks the endpoint of a route that answers every address under a prefix (a French
    « page introuvable »): it names no method of a page that exists."""
    setattr(endpoint, _CATCH_ALL, True)
    return endpoint


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the request's path takes (catch-alls left out),
    sorted; empty when no route has this path."""
    path = str(request.scope["path"]).removeprefix(str(request.scope.get("root_path", "")))
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):
        if route.path is None or not route.methods or getattr(route.endpoint, _CATCH_ALL, False):
            continue
        regex, _, _ = compile_path(route.path)
        if regex.match(path):
            methods |= route.methods
    if "GET" in methods:
        methods.add("HEAD")  # see `HeadAsGet`
    return sorted(methods)


class HeadAsGet:
    """A HEAD request is run as a GET and answered without its body (RFC 9110 §9.3.2):
    the same status and headers (length included), wherever GET is answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, without_body)
