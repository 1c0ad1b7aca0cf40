"""Signed telephony events, in the Standard Webhooks manner (the scheme Relais uses for every
inbound webhook): HMAC-SHA256 over `timestamp.body`, `v1,<base64>` signatures, several
signatures in one header so that a PBX secret can be rotated without a gap.

Headers: `X-Relais-PBX` (which PBX, to pick its secrets), `X-Relais-Timestamp` (Unix
seconds), `X-Relais-Signature` (space-separated `v1,<base64 HMAC>` items).

Pure functions, no database: the server verifies with them and PBX adapters sign with them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping

from crm_core.text import echoed

PBX_HEADER = "X-Relais-PBX"
TIMESTAMP_HEADER = "X-Relais-Timestamp"
SIGNATURE_HEADER = "X-Relais-Signature"


class SignatureError(ValueError):
    """Why a signed request was refused, in French for the integrator's logs."""


def _mac(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def sign(*, pbx: str, secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers a PBX adapter sends with `body`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        PBX_HEADER: pbx,
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: f"v1,{_mac(secret, stamp, body)}",
    }


def verify(
    *, headers: Mapping[str, str], body: bytes, secrets: Mapping[str, Iterable[str]],
    tolerance_seconds: int, now: float | None = None,
) -> str:
    """Returns the PBX name when one of its current secrets signed this body recently."""
    pbx = headers.get(PBX_HEADER.lower()) or headers.get(PBX_HEADER) or ""
    stamp = headers.get(TIMESTAMP_HEADER.lower()) or headers.get(TIMESTAMP_HEADER) or ""
    given = headers.get(SIGNATURE_HEADER.lower()) or headers.get(SIGNATURE_HEADER) or ""
    if not pbx or not stamp or not given:
        raise SignatureError(
            f"En-têtes {PBX_HEADER}, {TIMESTAMP_HEADER} et {SIGNATURE_HEADER} obligatoires"
        )
    known = list(secrets.get(pbx, ()))
    if not known:
        raise SignatureError(f"Autocommutateur inconnu : « {echoed(pbx, 64)} »")
    if not stamp.isdigit() or len(stamp) > 12:
        raise SignatureError("Horodatage illisible (secondes Unix attendues)")
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance_seconds:
        raise SignatureError("Horodatage hors tolérance : horloge décalée ou requête rejouée")
    offered = [item.partition(",")[2] for item in given.split() if item.startswith("v1,")]
    for secret in known:
        expected = _mac(secret, stamp, body)
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return pbx
    raise SignatureError("Signature invalide")
