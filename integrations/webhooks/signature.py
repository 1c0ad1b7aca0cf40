"""Standard Webhooks signatures (HMAC-SHA256 over `id.timestamp.body`, `v1,<base64>`),
through the specification's own reference library, with several secrets for rotation.

The library checks one secret, the ±5 minute tolerance and constant-time comparison; here
we try each active secret and turn its errors (and the malformed headers it would trip
over) into our refusals.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from integrations.exceptions import InvalidSignature, StaleTimestamp, UnreadableBody

HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
MAX_ID_LENGTH = 255


PREFIX = "whsec_"
# 128 bits: a shorter HMAC key could be guessed (the specification advises 24 to 64 bytes).
MIN_SECRET_BYTES = 16


class BadSecret(ValueError):
    """A configured secret that is no usable key (the message is French)."""


def new_secret() -> str:
    """A fresh `whsec_` secret (32 random bytes, base64) to give a platform."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def decode_secret(secret: str) -> bytes:
    """The key of a `whsec_<base64>` secret, decoded strictly: the library's own decoding
    drops any non-base64 character, so « whsec_@@@ » became an empty key that failed at
    every call. The settings check each secret with this at load, the verifier uses it."""
    text = secret.removeprefix(PREFIX)
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadSecret("secret illisible : « whsec_<base64> » attendu"
                        " (relais integrations new-secret en donne un)") from exc
    if len(key) < MIN_SECRET_BYTES:
        raise BadSecret(f"secret trop court : {MIN_SECRET_BYTES} octets au moins"
                        " (relais integrations new-secret en donne un)")
    return key


def sign(*, secret: str, msg_id: str, timestamp: datetime, body: str) -> str:
    return Webhook(secret).sign(msg_id=msg_id, timestamp=timestamp, data=body)


def signed_headers(
    *, secrets_: Iterable[str], msg_id: str, body: str, timestamp: datetime | None = None
) -> dict[str, str]:
    """The three headers of a delivery, signed with every given secret (space-separated)."""
    when = timestamp or datetime.now(UTC)
    signatures = " ".join(
        sign(secret=secret, msg_id=msg_id, timestamp=when, body=body) for secret in secrets_
    )
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
    }


def verify(*, secrets_: Iterable[str], body: bytes, headers: Mapping[str, str]) -> str:
    """Checks the headers against any active secret; returns the webhook id."""
    lowered = {key.lower(): value for key, value in headers.items() if key.lower() in HEADERS}
    missing = [name for name in HEADERS if not lowered.get(name)]
    if missing:
        raise InvalidSignature(
            "En-têtes Standard Webhooks manquants : " + ", ".join(missing), missing=missing
        )
    msg_id = lowered["webhook-id"]
    if len(msg_id) > MAX_ID_LENGTH or "." in msg_id or not msg_id.isprintable():
        raise InvalidSignature("Identifiant d'événement (webhook-id) invalide")
    if not lowered["webhook-timestamp"].isdigit():
        raise InvalidSignature("Horodatage (webhook-timestamp) invalide : secondes Unix attendues")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableBody("Corps de requête non UTF-8 : JSON en UTF-8 attendu") from exc
    # The library splits each signature on "," and would crash on a malformed one.
    usable = " ".join(s for s in lowered["webhook-signature"].split() if s.count(",") == 1)
    if not usable:
        raise InvalidSignature("Signature (webhook-signature) illisible : « v1,<base64> » attendu")
    checked = {**lowered, "webhook-signature": usable}
    keys = list(secrets_)
    if not keys:
        raise InvalidSignature("Aucun secret n'est configuré pour cette source")
    for secret in keys:
        try:
            verifier = Webhook(decode_secret(secret))
        except BadSecret:
            continue  # refused at load; one slipping through matches nothing, never a 500
        try:
            verifier.verify(text, checked, json_parse=False)
            return msg_id
        except WebhookVerificationError as exc:
            if "timestamp" in str(exc):
                raise StaleTimestamp(
                    "Horodatage hors de la tolérance de 5 minutes : événement refusé"
                ) from exc
        except (binascii.Error, ValueError):
            continue  # a signature that is not base64 matches no secret
    raise InvalidSignature("Signature invalide pour cette source")
