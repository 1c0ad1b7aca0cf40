"""deferred inbox: a verified event body awaiting the worker, its outcome

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 03:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("payload IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('integration_inbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('processed_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('error', sa.String(length=500), nullable=True))
    # Events received before: processed on receipt.
    op.execute("UPDATE integration_inbox SET processed_at = received_at")
    op.create_index('ix_integration_inbox_pending', 'integration_inbox', ['received_at'],
                    unique=False, postgresql_where=PENDING, sqlite_where=PENDING)


def downgrade() -> None:
    op.drop_index('ix_integration_inbox_pending', table_name='integration_inbox')
    with op.batch_alter_table('integration_inbox', schema=None) as batch_op:
        batch_op.drop_column('error')
        batch_op.drop_column('attempts')
        batch_op.drop_column('processed_at')
        batch_op.drop_column('payload')
