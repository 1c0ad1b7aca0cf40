"""RFC 9457 problem details: every error leaves the server in this one shape, in French."""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Callable
from typing import Any

import orjson
import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_core.api.allow import HeadAsGet, allowed_methods
from crm_core.exceptions import DomainError
from crm_core.validation_messages import field_of, french_errors, french_message, french_summary

logger = logging.getLogger("relais.errors")
PROBLEM_TYPE = "urn:relais:problem:"

_HTTP_TITLES = {
    400: "Requête illisible",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non permise",
    413: "Requête trop volumineuse",
    415: "Type de contenu non pris en charge",
}
# Relais raises no HTTPException: each one comes from Starlette or FastAPI, whose detail is
# English ("There was an error parsing the body", "Not Found"): said again in French.
_HTTP_DETAILS = {
    400: "Le corps de la requête est illisible : vérifiez qu'il correspond à son type de"
         " contenu (JSON en UTF-8, ou formulaire)",
    401: "Authentification requise : connectez-vous",
    403: "Accès refusé",
    404: "Cette adresse n'existe pas dans l'API",
    405: "Cette méthode n'est pas permise sur cette adresse",
    415: "Ce type de contenu n'est pas pris en charge sur cette adresse",
}

# A refusal as an HTML page: (scope, status, title, message) -> response.
PageRefusal = Callable[[Scope, int, str, str], Response]
# The same refusals on the HTML pages (the resident space, the opt-out page), said to a
# resident: what happened, and that nothing was saved.
_PAGE_TEXTS = {
    400: ("Envoi illisible", "Ce que votre navigateur a envoyé n'a pas pu être lu. Rien"
          " n'a été enregistré : revenez à la page précédente et recommencez."),
    404: ("Page introuvable", "Cette page n'existe pas, ou ne concerne pas votre dossier."),
    405: ("Action impossible sur cette page", "Cette page ne reçoit pas de formulaire de"
          " cette façon. Rien n'a été enregistré : revenez à la page précédente."),
    415: ("Envoi non pris en charge", "Cette page ne reçoit pas ce type d'envoi. Rien n'a"
          " été enregistré : revenez à la page précédente."),
}
_PAGE_OTHER = ("Demande impossible", "Cette demande ne peut pas aboutir. Rien n'a été"
               " enregistré : revenez à la page précédente.")


def problem_response(
    status: int, code: str, title: str, detail: str, *,
    headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = {"type": PROBLEM_TYPE + code, "title": title, "status": status, "detail": detail}
    body["code"] = code
    body.update(extra)
    return Response(
        orjson.dumps(body, default=str), status_code=status,
        media_type="application/problem+json",
        headers=({"WWW-Authenticate": "Bearer"} if status == 401 else {}) | (headers or {}),
    )


def _domain_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return problem_response(exc.status, exc.code, exc.title, exc.detail,
                            headers=getattr(exc, "headers", None), **exc.extra)


def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":  # loc is (body, character position)
            position = error.get("loc", ("body", "?"))[-1]
            errors.append({"field": "corps", "message": f"JSON illisible (caractère "
                           f"{position}) : vérifiez guillemets, virgules et accolades"})
            continue
        errors.append({"field": field_of(error) or "requête", "message": french_message(error)})
    detail = french_summary(errors, limit=5)
    return problem_response(
        422, "invalid_input", "Données invalides", detail or "Données invalides", errors=errors
    )


def _model_error(request: Request, exc: Exception) -> Response:
    """A model checked inside a service (not the request's own): a check missing at the
    edge, logged to be added there; the sender is told in French what was refused, and
    a retry of the same input is refused the same way — a 422, never a 500."""
    assert isinstance(exc, ValidationError)
    logger.warning("model validation inside %s %s: %s", request.method, _route(request),
                   exc.title)
    errors = french_errors(exc.errors(), skip=())
    return problem_response(422, "invalid_input", "Données invalides",
                            french_summary(errors) or "Données invalides", errors=errors)


def _refusal(request: Request, exc: StarletteHTTPException) -> tuple[int, dict[str, str]]:
    """Starlette's status and headers, told right: a 405 names every method of the path
    (`Allow`), and is a 404 where only a catch-all (« page introuvable ») took the path."""
    headers = dict(exc.headers or {})
    if exc.status_code != 405:
        return exc.status_code, headers
    methods = allowed_methods(request)
    if not methods:
        headers.pop("Allow", None)
        return 404, headers
    return 405, headers | {"Allow": ", ".join(methods)}


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status, headers = _refusal(request, exc)
    title = _HTTP_TITLES.get(status, "Erreur")
    detail = _HTTP_DETAILS.get(status, title)
    return problem_response(status, f"http_{status}", title, detail, headers=headers or None)


def _http_error_on_pages(
    pages: tuple[str, ...], page: PageRefusal
) -> Callable[[Request, Exception], Response]:
    """Starlette's refusals (a 405 for a form sent to a page that takes none, a 404) on an
    HTML page prefix: the French page, same status, its headers kept (`Allow`)."""

    def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not request.url.path.startswith(pages):
            return _http_error(request, exc)
        status, headers = _refusal(request, exc)
        title, message = _PAGE_TEXTS.get(status, _PAGE_OTHER)
        response = page(request.scope, status, title, message)
        response.headers.update(headers)
        return response

    return handle


def _route(request: Request) -> str:
    """The route's template (`/residents/{resident_id}`), never the path: a path or a query
    string may carry a name, a number or a token."""
    route = request.scope.get("route")
    return str(getattr(route, "path", "(route inconnue)"))


def _database_busy(request: Request, exc: Exception) -> Response:
    # The exception's text holds the SQL and its parameters (residents' data): its type only.
    logger.warning("database busy on %s %s: %s", request.method, _route(request),
                   type(exc).__name__)
    return problem_response(
        503, "database_busy", "Service momentanément surchargé",
        "La base de données est momentanément saturée ; réessayez dans quelques secondes.",
    )


def _operational_error(request: Request, exc: Exception) -> Response:
    if "locked" in str(exc) or "busy" in str(exc):  # SQLite writers past busy_timeout
        return _database_busy(request, exc)
    # The database went away (restart, failover, network): nothing was acknowledged, the
    # client may retry — a 503 that says so, not a 500.
    logger.warning("database unavailable on %s %s: %s", request.method, _route(request),
                   type(exc).__name__)
    return problem_response(
        503, "database_unavailable", "Service momentanément indisponible",
        "La base de données est momentanément injoignable ; rien n'a été enregistré, "
        "réessayez dans quelques secondes.", headers={"Retry-After": "2"},
    )


def _unexpected_error(request: Request, exc: Exception) -> Response:
    # The exception's message and the locals are where personal data would be (an
    # IntegrityError quotes its parameters, a KeyError its key): the type, the route and
    # the frames (file, line, function) say where to look, with a reference to quote.
    reference = secrets.token_hex(6)
    frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)[-12:]))
    logger.error("unexpected error %s on %s %s (ref. %s)\n%s", type(exc).__name__,
                 request.method, _route(request), reference, frames)
    return problem_response(
        500, "internal_error", "Erreur interne",
        "Une erreur inattendue s'est produite ; elle a été journalisée. Réessayez.",
        reference=reference,
    )


def _integrity_error(request: Request, exc: Exception) -> Response:
    # A constraint the request broke that no check caught first (a race, or a check
    # missing). Its text quotes the SQL parameters: the type and the route only.
    logger.warning("integrity error on %s %s: %s", request.method, _route(request),
                   type(exc).__name__)
    return problem_response(
        409, "integrity_conflict", "Conflit",
        "L'enregistrement contredit les données existantes (doublon, ou élément lié "
        "introuvable) ; rien n'a été enregistré. Vérifiez la saisie et réessayez.",
    )


class CatchAll:
    """The last resort, outermost: an exception no handler took becomes the French 500,
    and goes no further. Starlette's own last resort answers the same but then re-raises,
    so that the server logs it — with the exception's text, where an IntegrityError
    quotes its SQL parameters (a resident's name, number, birth date)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:  # logged by _unexpected_error, never re-raised
            response = _unexpected_error(Request(scope), exc)
            if not started:  # else the client sees a cut answer; the log has the rest
                await response(scope, receive, send)


def install(app: FastAPI, *, pages: tuple[str, ...] = (),
            page: PageRefusal | None = None) -> None:
    """The handlers, and the last resort: call it after adding the other middleware, so
    that it wraps them too. `pages`: prefixes of HTML pages, where Starlette's refusals
    are `page`'s French HTML, never problem+json."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _model_error)
    app.add_exception_handler(StarletteHTTPException, _http_error_on_pages(pages, page)
                              if pages and page is not None else _http_error)
    app.add_exception_handler(PoolTimeout, _database_busy)
    app.add_exception_handler(OperationalError, _operational_error)
    # The webhook acknowledgements speak to PostgreSQL through psycopg directly.
    app.add_exception_handler(psycopg.OperationalError, _operational_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(CatchAll)
    # HEAD wherever GET (the `Allow` named by `_refusal` says so): outermost, so that every
    # layer sees the GET it answers.
    app.add_middleware(HeadAsGet)
