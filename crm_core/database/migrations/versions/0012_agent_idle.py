"""agent sessions: last activity, for the inactivity timeout

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: sessions opened before this column count from their creation.
    op.add_column('agent_session', sa.Column('last_seen_at', sa.DateTime(timezone=True),
                                             nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agent_session') as batch:
        batch.drop_column('last_seen_at')
