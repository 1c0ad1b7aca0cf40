"""Errors raised by the badge library.

Every error carries a stable English ``code`` (snake_case, safe to log, to map to an HTTP
problem type or to count in metrics) and a ``message_fr`` written for the counter agent:
what happened and what to do next. The messages never contain the token itself nor any
personal data, so they may be shown on screen and logged as they are.

The hierarchy lets callers catch at the right level::

    BadgeError                      anything from this package
    ├── InvalidBadge                this token must not open a file
    │   ├── BadgeMalformed          not a readable Relais badge (incl. too long)
    │   │   └── BadgeUnsupportedVersion
    │   ├── BadgeOtherIssuer        issued by another city
    │   ├── BadgeUnknownKey         signed with a key we do not (or no longer) trust
    │   ├── BadgeForged             signature does not match
    │   ├── BadgeExpired
    │   └── BadgeRevoked            raised by the server, which knows revocations
    ├── ScanError                   scanner / image input problems
    ├── CardError                   contactless card reader problems
    └── PrinterError                receipt printer problems
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from badge.localtime import format_day_fr


class BadgeError(Exception):
    """Root of every error raised by :mod:`badge`."""

    code: ClassVar[str] = "badge_error"
    default_message_fr: ClassVar[str] = "Erreur du badge."

    def __init__(self, message_fr: str | None = None, *, detail: str = "") -> None:
        self.message_fr = message_fr or self.default_message_fr
        # English, technical, for logs only; never shown to residents.
        self.detail = detail
        super().__init__(self.message_fr)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, detail={self.detail!r})"


# --- token verification -------------------------------------------------------------


class InvalidBadge(BadgeError):
    """The presented token must be refused: no file may be opened with it."""

    code = "invalid_badge"
    default_message_fr = "Badge refusé."


class BadgeMalformed(InvalidBadge):
    """Not a readable Relais badge: random text, truncated or damaged code, too long."""

    code = "malformed"
    default_message_fr = (
        "Ce code n'est pas un badge Relais lisible. Rescannez le badge ou recherchez "
        "l'usager par son nom."
    )


class BadgeUnsupportedVersion(BadgeMalformed):
    """A Relais badge of a format version this software does not accept."""

    code = "unsupported_version"
    default_message_fr = (
        "Ce badge utilise un format qui n'est pas accepté par ce poste. Proposez à l'usager "
        "d'éditer un nouveau badge."
    )


class BadgeOtherIssuer(InvalidBadge):
    """A well-formed badge issued by another city (another issuer identifier)."""

    code = "other_issuer"

    def __init__(self, *, issuer: str, detail: str = "") -> None:
        self.issuer = issuer
        super().__init__(
            f"Ce badge a été émis par une autre collectivité ({issuer}) : il n'est pas "
            "valable ici. Recherchez l'usager par son nom.",
            detail=detail,
        )


class BadgeUnknownKey(InvalidBadge):
    """Signed with a key id that is not in the keyring (unknown or retired key)."""

    code = "unknown_key"
    default_message_fr = (
        "Ce badge a été signé avec une clé inconnue ou retirée. Il ne peut pas être "
        "vérifié : proposez à l'usager d'éditer un nouveau badge."
    )


class BadgeForged(InvalidBadge):
    """The Ed25519 signature does not match: altered or forged badge."""

    code = "forged"
    default_message_fr = (
        "Signature invalide : ce badge est falsifié ou endommagé. N'ouvrez aucun dossier "
        "avec ce badge ; vérifiez l'identité de l'usager autrement."
    )


class BadgeExpired(InvalidBadge):
    """Authentic but past its expiry date."""

    code = "expired"

    def __init__(self, *, expires_at: datetime, detail: str = "") -> None:
        self.expires_at = expires_at
        super().__init__(
            f"Ce badge a expiré le {format_day_fr(expires_at)}. Proposez à l'usager d'en "
            "éditer un nouveau.",
            detail=detail,
        )


class BadgeRevoked(InvalidBadge):
    """Authentic and unexpired but revoked (lost, replaced): checked by the server."""

    code = "revoked"
    default_message_fr = (
        "Ce badge a été révoqué (perdu ou remplacé). N'ouvrez pas le dossier avec ce "
        "badge ; vérifiez l'identité de l'usager autrement."
    )


# --- scanner and image input ----------------------------------------------------------


class ScanError(BadgeError):
    """Problem with what a scanner typed or with an image to decode."""

    code = "scan_error"
    default_message_fr = "La lecture du code a échoué. Rescannez le badge."


class ScanEmpty(ScanError):
    code = "scan_empty"
    default_message_fr = "Rien n'a été lu. Rescannez le badge ou tapez un nom."


class ScanTooLong(ScanError):
    code = "scan_too_long"
    default_message_fr = "Saisie trop longue : ce n'est ni un badge ni un nom. Recommencez."


class ImageUnreadable(ScanError):
    code = "image_unreadable"
    default_message_fr = "Cette image ne peut pas être ouverte. Reprenez la photo."


class NoBadgeInImage(ScanError):
    code = "no_badge_in_image"
    default_message_fr = (
        "Aucun badge Relais trouvé sur l'image. Rapprochez le code de la caméra et "
        "reprenez la photo."
    )


class ImageDecoderUnavailable(ScanError):
    code = "image_decoder_unavailable"
    default_message_fr = (
        "La lecture de badge par caméra n'est pas installée sur ce poste. Utilisez la "
        "douchette ou recherchez l'usager par son nom."
    )


# --- contactless cards ----------------------------------------------------------------


class CardError(BadgeError):
    """Problem with the contactless card reader or the card."""

    code = "card_error"
    default_message_fr = "La carte n'a pas pu être lue. Reposez-la sur le lecteur."


class CardReaderUnavailable(CardError):
    code = "card_reader_unavailable"
    default_message_fr = (
        "Lecteur de cartes indisponible (débranché ou service arrêté). Vérifiez le câble ; "
        "la lecture reprendra d'elle-même."
    )


class CardAbsent(CardError):
    code = "card_absent"
    default_message_fr = "Aucune carte sur le lecteur. Posez la carte sur le lecteur."


class CardRemovedDuringRead(CardError):
    code = "card_removed"
    default_message_fr = (
        "La carte a été retirée pendant la lecture. Reposez-la sur le lecteur sans la bouger."
    )


class CardUnsupported(CardError):
    code = "card_unsupported"
    default_message_fr = (
        "Cette carte ne peut pas servir de badge (identifiant illisible ou changeant à "
        "chaque lecture, comme une carte bancaire ou un passeport)."
    )


# --- printing -------------------------------------------------------------------------


class PrinterError(BadgeError):
    """Problem with the receipt printer; the job stays in the spool."""

    code = "printer_error"
    default_message_fr = (
        "Impression impossible pour l'instant : le ticket est gardé et sera imprimé dès "
        "que l'imprimante sera prête."
    )


class PrinterUnavailable(PrinterError):
    code = "printer_unavailable"
    default_message_fr = (
        "Imprimante injoignable (éteinte ou débranchée) : le ticket est gardé et sera "
        "imprimé dès qu'elle répondra."
    )


class PrinterOutOfPaper(PrinterError):
    code = "printer_out_of_paper"
    default_message_fr = (
        "L'imprimante n'a plus de papier : remettez un rouleau, le ticket en attente sera "
        "imprimé ensuite."
    )


class PrinterConfigError(PrinterError):
    code = "printer_config_error"
    default_message_fr = "Imprimante mal configurée sur ce poste. Prévenez le support informatique."


class SpoolBusy(PrinterError):
    code = "spool_busy"
    default_message_fr = (
        "La file d'impression est déjà utilisée par une autre application sur ce poste."
    )
