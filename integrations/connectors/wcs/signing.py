"""Publik's signed URLs: `algo`, `timestamp`, `nonce` (and `orig`) appended to the query
string, then `signature` = base64(HMAC-<algo>(key, query so far)). Both directions:
we sign our calls to w.c.s., and check the calls its workflows make to us.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

ALGORITHMS = ("sha256", "sha1")
MAX_SKEW = timedelta(seconds=30)
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class BadSignature(Exception):
    pass


@dataclass(frozen=True)
class SignedQuery:
    """What a valid signature vouches for: the caller's `orig`, its one-time `nonce`, the
    moment it signed, and every other signed parameter (`body_sha256`, `form`...)."""

    orig: str
    nonce: str
    timestamp: datetime
    fields: dict[str, str]


def _digest(key: str, message: str, algo: str) -> bytes:
    return hmac.new(key.encode(), message.encode(), getattr(hashlib, algo)).digest()


def sign_query(query: str, *, key: str, orig: str | None = None,
               timestamp: datetime | None = None, nonce: str | None = None) -> str:
    when = (timestamp or datetime.now(UTC)).strftime(TIMESTAMP_FORMAT)
    parts = [query] if query else []
    if orig is not None:
        parts.append(urlencode({"orig": orig}))
    parts.append(urlencode((("algo", "sha256"), ("timestamp", when),
                            ("nonce", nonce or secrets.token_hex(16)))))
    signed = "&".join(parts)
    signature = base64.b64encode(_digest(key, signed, "sha256")).decode()
    return f"{signed}&signature={quote(signature, safe='')}"


def sign_url(url: str, *, key: str, orig: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=sign_query(parts.query, key=key, orig=orig)))


def check_query(query: str, *, key: str, now: datetime | None = None) -> SignedQuery:
    """Checks a signed query string. The nonce is only read here: remembering it (a URL
    is accepted once) is the caller's, who holds the database."""
    # Duplicates first, over the whole query (the signature too, and what follows it):
    # else a repeated parameter is reported as whatever it breaks further down.
    names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
    for name in names:
        if names.count(name) > 1:  # which one counts would be the reader's guess
            raise BadSignature(f"paramètre « {name[:30]} » en double")
    signed, sep, signature = query.rpartition("&signature=")
    if not sep or not signature:
        raise BadSignature("signature absente")
    if names[-1] != "signature":  # appended after it: signed by nobody
        raise BadSignature(f"paramètre « {names[-1][:30]} » après la signature (non signé)")
    pairs = parse_qsl(signed, keep_blank_values=True)
    fields = dict(pairs)
    algo = fields.get("algo", "")
    if algo not in ALGORITHMS:
        raise BadSignature("algorithme de signature non accepté")
    try:
        when = datetime.strptime(fields.get("timestamp", ""), TIMESTAMP_FORMAT).replace(
            tzinfo=UTC)
        given = base64.b64decode(unquote(signature), validate=True)
    except (ValueError, TypeError) as exc:
        raise BadSignature("horodatage ou signature illisible") from exc
    if abs((now or datetime.now(UTC)) - when) > MAX_SKEW:
        raise BadSignature("horodatage hors tolérance")
    nonce = fields.get("nonce", "")
    if not nonce or len(nonce) > 100:
        raise BadSignature("nonce absent ou trop long")
    if not hmac.compare_digest(given, _digest(key, signed, algo)):
        raise BadSignature("signature invalide")
    return SignedQuery(orig=fields.get("orig", ""), nonce=nonce, timestamp=when, fields=fields)
