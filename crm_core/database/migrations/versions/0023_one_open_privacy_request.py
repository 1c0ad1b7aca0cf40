"""one open rights request of each kind per resident

A resident could file several erasure (or rectification) requests at once, each open in
the supervisors' list. From now on a partial unique index keeps one open request of each
kind per resident. Requests already open twice are kept: the oldest stays open, the
others are closed as refused with an answer naming the one kept (their texts stay, the
supervisors read them there), and their ids are logged.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 01:40:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.runtime.migration")
OPEN = sa.text("status = 'open'")

requests = sa.table(
    'privacy_request', sa.column('id', sa.Uuid()), sa.column('resident_id', sa.Uuid()),
    sa.column('kind', sa.String()), sa.column('status', sa.String()),
    sa.column('filed_at', sa.DateTime(timezone=True)),
    sa.column('handled_at', sa.DateTime(timezone=True)), sa.column('answer', sa.String()),
)


def upgrade() -> None:
    connection = op.get_bind()
    kept: dict[tuple[object, str], object] = {}
    for row in connection.execute(
        sa.select(requests.c.id, requests.c.resident_id, requests.c.kind)
        .where(requests.c.status == 'open')
        .order_by(requests.c.filed_at, requests.c.id)
    ):
        first = kept.setdefault((row.resident_id, row.kind), row.id)
        if first == row.id:
            continue
        connection.execute(
            sa.update(requests).where(requests.c.id == row.id).values(
                status='refused', handled_at=datetime.now(UTC),
                answer=f"Doublon de la demande {first}, toujours en cours : elle seule est"
                       " traitée."))
        logger.warning("0023: rights request %s closed as a duplicate of %s", row.id, first)
    op.create_index('uq_privacy_request_open_kind', 'privacy_request',
                    ['resident_id', 'kind'], unique=True, sqlite_where=OPEN,
                    postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index('uq_privacy_request_open_kind', table_name='privacy_request')
