"""Badge refusals as domain errors: the library's French reasons, with HTTP statuses."""

from __future__ import annotations

import logging

from badge import (
    BadgeError,
    BadgeExpired,
    BadgeForged,
    BadgeMalformed,
    BadgeRevoked,
    BadgeUnknownKey,
)
from crm_core.exceptions import DomainError, NotFound

security_log = logging.getLogger("relais.security")

_STATUS = {BadgeExpired: 410, BadgeRevoked: 410, BadgeForged: 403, BadgeUnknownKey: 403}


class BadgeRefused(DomainError):
    """A scanned badge or tapped card that must not open a file."""

    title = "Badge refusé"

    def __init__(self, error: BadgeError) -> None:
        super().__init__(error.message_fr)
        self.status = next(
            (status for kind, status in _STATUS.items() if isinstance(error, kind)), 422
        )
        self.code = error.code if error.code.startswith("badge") else f"badge_{error.code}"
        # Not a token at all (a forged, expired or unknown one is well-formed: it counts).
        self.malformed = isinstance(error, BadgeMalformed)


class BadgeNotFound(NotFound):
    code = "badge_not_found"
    title = "Badge inconnu"


class CardNotEnrolled(NotFound):
    code = "card_not_enrolled"
    title = "Carte inconnue"
