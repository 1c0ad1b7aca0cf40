"""Roll-up tables of the reports: a delta journal, counters per cell, presence sets.

A *cell* is one (kind of fact, grain, period, site, service, channel, detail) tuple.
Grains are the city's local day (`d`), month (`m`) and year (`y`) (see `periods`);
`period` is the first day of it.
A missing site or service is the all-zero UUID (`NONE_ID`), so that the primary key never
holds a NULL and upserts work the same on both engines; `ALL_ID` marks the cells that
count every site (or service) at once.

None of these tables references `resident`: the presence sets keep an opaque text key of
who was counted (the resident id as the database prints it, or a caller's number for
calls), only for periods still open to late writes, and `rollup.prune_presence` drops
them once a period is closed.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, Float, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.database.base import Base

NONE_ID = uuid.UUID(int=0)
# Every fact is also counted in the cells of "all sites", "all services" and both, so that
# reports read a few cells, with exact distinct counts, instead of summing many.
ALL_ID = uuid.UUID(int=1)
# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a bigint identity.
_JOURNAL_ID = BigInteger().with_variant(Integer(), "sqlite")


class ReportDelta(Base):
    """One written fact not yet folded into the roll-ups, consumed by `rollup.fold_pending`.

    Appended by database triggers (migration 0011, both engines) in the writer's own
    statement: every writer is covered — services, connectors, scripts — without a line
    in their code and without a round trip; and appending is an insert on a sequence, so
    concurrent writers never wait on a shared counter row (the hot-row contention of
    upserting counters in the writers' transactions). Only the folder upserts counters.
    """

    __tablename__ = "report_delta"

    id: Mapped[int] = mapped_column(_JOURNAL_ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[uuid.UUID]


class _CellKey:
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    detail: Mapped[str] = mapped_column(String(32), primary_key=True)


class ReportCell(_CellKey, Base):
    """Counters of one cell. `residents` is the number of distinct residents of the cell,
    exact up to 5 and a lower bound beyond (see `rollup`: saturation, late writes)."""

    __tablename__ = "report_cell"
    # Reports read one site (or "all sites") over a few periods: site before period.
    __table_args__ = (Index("ix_report_cell_site_period", "kind", "grain", "site_id", "period"),)

    n: Mapped[int] = mapped_column(BigInteger, default=0)
    residents: Mapped[int] = mapped_column(BigInteger, default=0)
    sum1: Mapped[float] = mapped_column(Float, default=0.0)
    sum2: Mapped[float] = mapped_column(Float, default=0.0)
    ok: Mapped[int] = mapped_column(BigInteger, default=0)
    due: Mapped[int] = mapped_column(BigInteger, default=0)
    flag1: Mapped[int] = mapped_column(BigInteger, default=0)
    flag2: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportPresence(_CellKey, Base):
    """Who was already counted in a cell of an open period (for exact distinct counts)."""

    __tablename__ = "report_presence"
    # The cell first (reads and pruning go by cell), then who.
    __table_args__ = (PrimaryKeyConstraint(
        "kind", "grain", "period", "site_id", "service_id", "channel", "detail", "who"
    ),)

    who: Mapped[str] = mapped_column(String(64), primary_key=True)

