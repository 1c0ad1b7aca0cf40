"""agents: one-time activation codes instead of passwords set by an admin

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('agent', sa.Column('activation_hash', sa.String(64), nullable=True))
    op.add_column('agent', sa.Column('activation_for', sa.String(64), nullable=True))
    op.add_column('agent', sa.Column('activation_expires_at', sa.DateTime(timezone=True),
                                     nullable=True))
    # A pending reset held the admin's chosen password: it now revokes it on approval.
    with op.batch_alter_table('agent_request') as batch_op:
        batch_op.add_column(sa.Column('resets_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute("UPDATE agent_request SET resets_password = TRUE "
               "WHERE password_hash IS NOT NULL")
    with op.batch_alter_table('agent_request') as batch_op:
        batch_op.drop_column('password_hash')


def downgrade() -> None:
    with op.batch_alter_table('agent_request') as batch_op:
        batch_op.add_column(sa.Column('password_hash', sa.String(255), nullable=True))
        batch_op.drop_column('resets_password')
    with op.batch_alter_table('agent') as batch_op:
        batch_op.drop_column('activation_expires_at')
        batch_op.drop_column('activation_for')
        batch_op.drop_column('activation_hash')
