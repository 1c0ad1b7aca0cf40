"""Tables of identity resolution: search keys, and the record of every merge.

`search_key` and `search_token_key` are derived data (rebuilt at will by
`crm_core.recognition.indexing.rebuild_search_keys`); `resident_merge` and
`resident_merge_move` are history and are never rebuilt or pruned.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.database.base import Base, UUIDPrimaryKey, utcnow

KEY_LENGTH = 100


class SearchKey(Base):
    """One blocking key of one active resident: a name token, a pair of name tokens, the
    end of a phone number or an e-mail's local part (see `keys.py` for the shapes).

    The birth date is copied here so that "name + birth date" is one index range; the
    covering index (key, birth_date, resident_id) answers candidate generation without
    touching the table on PostgreSQL (index-only scan) and on SQLite.
    """

    __tablename__ = "search_key"
    __table_args__ = (Index("ix_search_key_lookup", "key", "birth_date", "resident_id"),)

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger)
    birth_date: Mapped[date | None]


class SearchTokenKey(Base):
    """The vocabulary: from a key (the token itself, a one-letter deletion of it, its French
    phonetic code, a prefix) to a name token that residents carry. Small: one row set per
    distinct token, not per resident, so typo tolerance costs nothing per resident."""

    __tablename__ = "search_token_key"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    token: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)


class ResidentMerge(UUIDPrimaryKey, Base):
    """One confirmed merge of `merged_id` into `survivor_id`, and its undoing."""

    __tablename__ = "resident_merge"

    survivor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    merged_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    merged_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
    # The duplicate-detection explanation at the time of the merge (weights per field).
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Identity fields copied from the merged record onto the survivor: {field: [old, new]}.
    fields_taken: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    undone_at: Mapped[datetime | None]
    undone_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    undo_reason: Mapped[str | None] = mapped_column(String(200))


class ResidentMergeMove(Base):
    """One row that a merge moved from the merged record to the survivor."""

    __tablename__ = "resident_merge_move"

    merge_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident_merge.id"), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Primary keys as text: UUIDs for most tables, random hex for badges.
    row_id: Mapped[str] = mapped_column(String(64), primary_key=True)
