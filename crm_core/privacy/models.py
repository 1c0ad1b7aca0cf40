from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.channels import Channel
from crm_core.database.base import Base, UUIDPrimaryKey, enum_column, utcnow
from crm_core.privacy.enums import AccessOperation, ConsentPurpose, ConsentSource


class AccessLog(Base):
    """Who read or changed a resident's file, when, from where. Append-only."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_resident_at", "resident_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    # None for a search: one row per search (who, what kind of criterion, how many found),
    # not one per resident listed (traceability without flooding the log).
    resident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resident.id"))
    operation: Mapped[AccessOperation] = mapped_column(enum_column(AccessOperation))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    channel: Mapped[Channel | None] = mapped_column(enum_column(Channel))
    reason: Mapped[str | None] = mapped_column(String(200))


class AccessLogSeal(Base):
    """The hash chain over the access log: row `log_id` is link `seq` of the chain, and
    `chain_hash` = SHA-256(previous chain_hash, the row's canonical form). Rows are sealed
    shortly after they are written (`crm_core.privacy.audit.seal_pending`), in the order
    they are found, so a transaction that commits late is sealed late, never skipped.
    Insert-only, like the log itself (database triggers)."""

    __tablename__ = "access_log_seal"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    log_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), unique=True
    )
    chain_hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditPurge(Base):
    """One retention purge: links 1..`up_to_seq` of the chain and their rows were deleted;
    `anchor_hash` (the chain hash at `up_to_seq`) is where verification starts again."""

    __tablename__ = "audit_purge"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    purged_at: Mapped[datetime] = mapped_column(default=utcnow)
    cutoff: Mapped[datetime]
    up_to_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    anchor_hash: Mapped[str] = mapped_column(String(64))
    rows_deleted: Mapped[int]


class ConsentChange(UUIDPrimaryKey, Base):
    """One yes or no of a resident for one purpose. Never updated: the latest change per
    purpose is the resident's answer, and the rows before it are its history."""

    __tablename__ = "consent_change"
    __table_args__ = (
        Index("ix_consent_change_resident_purpose", "resident_id", "purpose", "changed_at"),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"))
    purpose: Mapped[ConsentPurpose] = mapped_column(enum_column(ConsentPurpose, length=40))
    granted: Mapped[bool]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[ConsentSource] = mapped_column(enum_column(ConsentSource))
    channel: Mapped[Channel | None] = mapped_column(enum_column(Channel))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    note: Mapped[str | None] = mapped_column(String(200))
