"""Connector tables: the inbox (received event ids), the outbox (events to deliver),
residents to review, pending online sign-ins and link proposals."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.database.base import Base, UUIDPrimaryKey, enum_column, utcnow
from integrations.enums import OutboxStatus, ReviewReason

PENDING = text("payload IS NOT NULL")


class InboxEvent(UUIDPrimaryKey, Base):
    """An event received from a platform, kept ≥ 72 h: its id is the idempotency key.

    A source acknowledged on receipt (`deferred`) stores the verified body in `payload`;
    the worker turns it into a case, then clears it and sets `processed_at` (and `case_id`,
    or `error` when the event is refused at that stage)."""

    __tablename__ = "integration_inbox"
    __table_args__ = (
        UniqueConstraint("source", "event_id"),
        Index("ix_integration_inbox_pending", "received_at", postgresql_where=PENDING,
              sqlite_where=PENDING),
    )

    source: Mapped[str] = mapped_column(String(50))
    event_id: Mapped[str] = mapped_column(String(255))
    body_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case.id"))
    payload: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))


class ExternalCaseState(Base):
    """What the platform last told us about one of its cases (out-of-order guard)."""

    __tablename__ = "integration_case_state"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"), primary_key=True)
    remote_status: Mapped[str | None] = mapped_column(String(64))
    remote_updated_at: Mapped[datetime]


class OutboxEvent(UUIDPrimaryKey, Base):
    """A status change to tell a platform, written in the transaction of the change."""

    __tablename__ = "integration_outbox"
    __table_args__ = (Index("ix_integration_outbox_due", "status", "available_at"),)

    target: Mapped[str] = mapped_column(String(50))
    event_type: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))


class DisabledTarget(Base):
    """A receiver that answered 410 Gone: nothing more is sent until an operator re-enables."""

    __tablename__ = "integration_disabled_target"

    target: Mapped[str] = mapped_column(String(50), primary_key=True)
    disabled_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(200))


class ResidentReview(UUIDPrimaryKey, Base):
    """A resident created by a connector because nobody matched surely: an agent checks."""

    __tablename__ = "integration_resident_review"

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    source: Mapped[str] = mapped_column(String(50))
    reason: Mapped[ReviewReason] = mapped_column(enum_column(ReviewReason))
    candidates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class OidcLogin(Base):
    """A sign-in under way: state, nonce and PKCE verifier, kept server-side (any process
    may receive the callback)."""

    __tablename__ = "oidc_login"

    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignedUrlNonce(Base):
    """A signed URL already accepted (w.c.s.): kept while its signature is still within the
    time window, in the database so every API process refuses its replay."""

    __tablename__ = "signed_url_nonce"

    source: Mapped[str] = mapped_column(String(50), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100), primary_key=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(index=True)


class AccountLinkProposal(UUIDPrimaryKey, Base):
    """"Is this your file?": a verified identity that matches a resident, awaiting the
    person's confirmation. The token goes only to the browser that signed in."""

    __tablename__ = "account_link_proposal"

    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    provider: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(255))
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"))
    claims: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)


class PollCursor(Base):
    """How far a poll of a platform has read (Démarches Simplifiées: `updatedSince`)."""

    __tablename__ = "integration_poll_cursor"

    source: Mapped[str] = mapped_column(String(50), primary_key=True)
    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    updated_since: Mapped[datetime]
    polled_at: Mapped[datetime] = mapped_column(default=utcnow)


class Open311Request(Base):
    """Where and how an Open311 report was made (GeoReport v2 fields kept for its GETs)."""

    __tablename__ = "open311_request"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"), primary_key=True)
    lat: Mapped[float | None]
    long: Mapped[float | None]
    address_string: Mapped[str | None] = mapped_column(String(300))
    address_id: Mapped[str | None] = mapped_column(String(100))
    zipcode: Mapped[str | None] = mapped_column(String(10))
    media_url: Mapped[str | None] = mapped_column(String(500))
    device_id: Mapped[str | None] = mapped_column(String(100))
    account_id: Mapped[str | None] = mapped_column(String(100))
    status_notes: Mapped[str | None] = mapped_column(String(500))

