"""The methods an address takes, across every route of it.

A page that shows a form (GET) and receives it (POST) is two routes; Starlette's 405
names the methods of the first route whose path matches, so a PUT to such a page said
`Allow: GET` while the page takes POST too. Asked here of every route instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.requests import Request
from starlette.routing import compile_path

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
    return sorted(methods)
