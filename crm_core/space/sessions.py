"""Resident web sessions: an opaque random cookie, checked against the database.

The cookie holds 256 random bits; the database keeps only their SHA-256, with the
resident, an absolute expiry (`RELAIS_RESIDENT_SESSION_MINUTES`) and the sign-out time, so
any server process can check a session (the server stays stateless between requests) and
signing out ends it everywhere. The cookie is `HttpOnly`, `SameSite=Lax` (the sign-in
comes back from the provider as a top-level navigation) and `Secure` — except when the
server's public address is plain HTTP on the loopback interface (development, tests).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from crm_core.config import Settings
from crm_core.database.base import utcnow
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.exceptions import ResidentNotFound
from crm_core.residents.service import get as get_resident
from crm_core.space.models import ResidentSession

COOKIE = "relais_espace"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """The session of the current request: `resident_id` is the surviving record."""

    session_id: str  # the token's hash: what CSRF tokens are derived from
    resident_id: uuid.UUID | None
    provider: str
    subject: str
    expires_at: datetime

    @property
    def pending(self) -> bool:
        return self.resident_id is None


def start_session(
    *, db_session: Session, settings: Settings, resident_id: uuid.UUID | None, provider: str,
    subject: str,
) -> tuple[str, ResidentSession]:
    """A new session; returns the cookie value (never stored) and the row."""
    token = secrets.token_urlsafe(32)
    row = ResidentSession(
        token_hash=token_hash(token), resident_id=resident_id, provider=provider,
        subject=subject,
        expires_at=utcnow() + timedelta(minutes=settings.resident_session_minutes),
    )
    db_session.add(row)
    db_session.flush()
    return token, row


def read_session(*, db_session: Session, token: str | None) -> SignedIn | None:
    """The live session behind a cookie, or None (unknown, expired, signed out, erased)."""
    if not token or len(token) > 100:
        return None
    row = db_session.get(ResidentSession, token_hash(token))
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        return None
    resident_id = None
    if row.resident_id is not None:
        try:
            resident = get_resident(db_session=db_session, resident_id=row.resident_id)
        except ResidentNotFound:
            return None
        if resident.status is ResidentStatus.ERASED:
            return None
        resident_id = resident.id
    return SignedIn(row.token_hash, resident_id, row.provider, row.subject, row.expires_at)


def attach_resident(*, db_session: Session, session_id: str, resident_id: uuid.UUID) -> None:
    """A pending session becomes a signed-in one once the person confirmed their file."""
    row = db_session.get(ResidentSession, session_id)
    if row is not None:
        row.resident_id = resident_id
        db_session.flush()


def end_session(*, db_session: Session, token: str | None) -> None:
    if token and len(token) <= 100:
        row = db_session.get(ResidentSession, token_hash(token))
        if row is not None and row.ended_at is None:
            row.ended_at = utcnow()
            db_session.flush()


def cookie_secure(settings: Settings) -> bool:
    parts = urlsplit(settings.public_url)
    return not (parts.scheme == "http" and (parts.hostname or "") in LOOPBACK)


def cookie_options(settings: Settings) -> dict[str, object]:
    return {"httponly": True, "samesite": "lax", "secure": cookie_secure(settings),
            "path": "/", "max_age": settings.resident_session_minutes * 60}
