"""Domain errors. Each carries an HTTP status, a stable code and a French message that the
apps can show as is; `crm_core.api.problems` maps them once to RFC 9457 problem+json."""

from __future__ import annotations

import unicodedata
from typing import Any


class DomainError(Exception):
    # Class-level defaults that a subclass or an instance may refine.
    status: int = 400
    code: str = "invalid_request"
    title: str = "Requête invalide"
    # What was typed or scanned cannot be what it claims (a phone that is no phone, a badge
    # token that is no token): refused before any search, it found nobody because it
    # sought nobody, so a lookup refused so never counts towards the lookup lock.
    malformed: bool = False

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"
    title = "Donnée invalide"
    malformed = True


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Introuvable"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflit"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    title = "Authentification requise"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    title = "Accès refusé"


class IdempotencyKeyReused(InvalidInput):
    """A retry's key came back with another content (another resident is one more field):
    answering the first record would say "done" for what was never recorded."""

    code = "idempotency_key_reused"
    title = "Clé d'idempotence déjà utilisée"


def check_replay(differing: list[str], *, by_owner: bool = True) -> None:
    """Refuses a replay whose content differs from the first, naming the fields (in
    French, never their values), and any replay of a key another agent sent
    (`Actor.may_replay`)."""
    if not by_owner:
        raise IdempotencyKeyReused(
            "Clé d'idempotence déjà utilisée par un autre agent : rien n'a été enregistré",
            field="idempotency_key")
    if differing:
        raise IdempotencyKeyReused(
            f"Clé d'idempotence déjà utilisée avec un autre contenu ({', '.join(differing)})"
            " : rien n'a été enregistré", field="idempotency_key")


def same_text(stored: str | None, sent: str | None) -> bool:
    """Two optional texts compared as a retry means them: an empty text is no text, and
    the same letters composed or decomposed (« é » typed as e + accent) are the same."""
    return _nfc(stored) == _nfc(sent)


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")
