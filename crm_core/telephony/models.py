"""Calls as the PBX reported them, the raw events behind them, and call-backs to make."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.database.base import Base, Timestamps, UUIDPrimaryKey, enum_column, utcnow
from crm_core.telephony.enums import (
    CallbackStatus,
    CallDirection,
    CallEventKind,
    CallStatus,
    MatchKind,
    RemoteKind,
)


class Call(UUIDPrimaryKey, Timestamps, Base):
    """One call session of one PBX. Built from its events in whatever order they arrive;
    the times stay those the PBX reported (or when the server received the event)."""

    __tablename__ = "call"
    __table_args__ = (
        UniqueConstraint("pbx", "call_id", name="uq_call_pbx_call_id"),
        Index("ix_call_started", "started_at"),
    )

    pbx: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str] = mapped_column(String(250))
    direction: Mapped[CallDirection] = mapped_column(enum_column(CallDirection, 8))
    status: Mapped[CallStatus] = mapped_column(enum_column(CallStatus))
    # The other party (the resident): `from` of an inbound call, `to` of an outbound one.
    remote_raw: Mapped[str] = mapped_column(String(100), default="")
    remote_number: Mapped[str | None] = mapped_column(String(20), index=True)
    remote_kind: Mapped[RemoteKind] = mapped_column(enum_column(RemoteKind))
    local_number: Mapped[str] = mapped_column(String(100), default="")
    queue: Mapped[str | None] = mapped_column(String(100))
    extensions: Mapped[list[str]] = mapped_column(JSON, default=list)  # who it rang
    answered_extension: Mapped[str | None] = mapped_column(String(100))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"), index=True)
    match_kind: Mapped[MatchKind] = mapped_column(enum_column(MatchKind))
    resident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resident.id"), index=True)
    new_call_seen: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    hangup_cause: Mapped[str | None] = mapped_column(String(50))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interaction.id"))


class CallEvent(UUIDPrimaryKey, Base):
    """Every accepted event, once: (call, event, who it names) is the idempotency key, so a
    PBX retrying is harmless while a second `newCall` ringing more agents still counts."""

    __tablename__ = "call_event"
    __table_args__ = (
        UniqueConstraint("call_pk", "kind", "dedupe_key", name="uq_call_event_key"),
    )

    call_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("call.id"))
    kind: Mapped[CallEventKind] = mapped_column(enum_column(CallEventKind, 16))
    dedupe_key: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class Callback(UUIDPrimaryKey, Timestamps, Base):
    """A promise to call someone back, with a due time."""

    __tablename__ = "callback"
    __table_args__ = (Index("ix_callback_status_due", "status", "due_at"),)

    resident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resident.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[CallbackStatus] = mapped_column(
        enum_column(CallbackStatus), default=CallbackStatus.PENDING
    )
    call_pk: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("call.id"))
    created_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    assigned_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    done_at: Mapped[datetime | None]
    done_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    outcome_note: Mapped[str | None] = mapped_column(Text)
