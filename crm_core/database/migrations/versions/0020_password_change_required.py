"""agents: a password set by someone else must be changed at the next sign-in

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing accounts are not forced: whoever set their password is unknown here.
    op.add_column('agent', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('agent') as batch_op:
        batch_op.drop_column('must_change_password')
