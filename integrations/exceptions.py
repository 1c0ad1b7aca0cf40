"""Connector errors, mapped to problem+json by `crm_core.api.problems` like every domain error."""

from __future__ import annotations

import logging

import httpx

from crm_core.exceptions import Conflict, DomainError, InvalidInput, NotFound

logger = logging.getLogger("relais.integrations")


def hiding(cause: Exception, error: DomainError, where: str = "") -> DomainError:
    """`error` for the caller, the cause (a platform's address, a network error, its own
    words) for the operator's log only: anonymous callers reach these paths."""
    logger.warning("%s (%s): %s: %s %s", error.detail, error.code, type(cause).__name__,
                   cause, where)
    return error


class UnknownSource(NotFound):
    code = "unknown_source"
    title = "Source inconnue"


class InvalidSignature(DomainError):
    status = 401
    code = "invalid_signature"
    title = "Signature refusée"


class UnreadableBody(InvalidSignature):
    """Not UTF-8: no signature can be checked over it, and the fault is the body's."""

    status = 422
    code = "unreadable_body"
    title = "Corps de requête illisible"


class StaleTimestamp(InvalidSignature):
    code = "stale_timestamp"
    title = "Horodatage hors tolérance"


class MalformedEvent(InvalidInput):
    code = "malformed_event"
    title = "Événement illisible"


class EventIdReused(Conflict):
    code = "event_id_reused"
    title = "Identifiant d'événement déjà utilisé"


class OidcError(DomainError):
    status = 400
    code = "oidc_error"
    title = "Connexion au compte en ligne impossible"


class OidcNotConfigured(DomainError):
    status = 503
    code = "oidc_not_configured"
    title = "Compte en ligne non configuré"


class ProposalNotFound(NotFound):
    code = "proposal_not_found"
    title = "Proposition introuvable ou expirée"


class PlatformUnavailable(DomainError):
    status = 502
    code = "platform_unavailable"
    title = "Plateforme injoignable"


class OidcUnavailable(DomainError):
    status = 503
    code = "oidc_unavailable"
    title = "Compte en ligne momentanément indisponible"


class SignedUrlReused(Conflict):
    code = "signed_url_reused"
    title = "URL signée déjà utilisée"


def network_failure(platform: str, exc: Exception) -> str:
    """A French reason for a platform that could not be reached; the technical detail
    (errno, host name resolution) goes to the operator's log only."""
    logger.warning("%s unreachable: %s: %s", platform, type(exc).__name__, exc)
    if isinstance(exc, httpx.TimeoutException):
        why = "délai de réponse dépassé"
    elif isinstance(exc, httpx.ConnectError):
        why = "connexion impossible (adresse introuvable ou refusée)"
    else:
        why = "erreur réseau"
    return f"{platform} injoignable : {why} ; détail dans le journal du serveur"
