"""One-time signed URLs (w.c.s.): a nonce is accepted once while its signature is valid.

Kept in the database, not in memory, so that a URL accepted by one API process is refused
by every other; rows are purged once no process would accept their signature anyway.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from integrations.exceptions import SignedUrlReused
from integrations.models import SignedUrlNonce

# Beyond the signature's own window: our processes' clocks may differ by this much.
CLOCK_MARGIN = timedelta(minutes=1)


def consume(*, db_session: Session, source: str, nonce: str, body_sha256: str,
            valid_until: datetime, now: datetime) -> None:
    """Records the nonce. Seen already: with the very body it came with, it is the same
    delivery again (two sent at one instant, a retry on a timeout), let through to be
    answered as the duplicate it is, as every webhook route answers one; with another
    body, refused (`SignedUrlReused`): a signed URL never carries a second event."""
    db_session.execute(delete(SignedUrlNonce).where(SignedUrlNonce.expires_at < now))
    seen = db_session.get(SignedUrlNonce, (source, nonce))
    if seen is None:
        try:
            with db_session.begin_nested():
                db_session.add(SignedUrlNonce(source=source, nonce=nonce, body_sha256=body_sha256,
                                              expires_at=valid_until + CLOCK_MARGIN))
            return
        except IntegrityError:  # the same URL in another process, at the same instant
            seen = db_session.get(SignedUrlNonce, (source, nonce))
    if seen is not None and seen.body_sha256 == body_sha256:
        return
    raise SignedUrlReused("URL signée déjà reçue avec un autre corps : chaque appel doit"
                          " être signé à nouveau (nonce neuf)")
