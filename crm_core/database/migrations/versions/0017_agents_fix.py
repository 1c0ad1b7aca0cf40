"""agents: who set an agent's password (when not the agent), and the access state a
request was filed against (a stale request is never applied)

Revision ID: 0017_agents_fix
Revises: 0016
Create Date: 2026-12-08 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: passwords set before are taken as the agents' own.
    op.add_column('agent', sa.Column('password_set_by', sa.String(length=64), nullable=True))
    # Nullable: requests pending at the upgrade have no state to compare; they can only be
    # refused, or replaced by filing them again.
    op.add_column('agent_request', sa.Column('filed_against', sa.String(length=64),
                                             nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agent_request') as batch:
        batch.drop_column('filed_against')
    with op.batch_alter_table('agent') as batch:
        batch.drop_column('password_set_by')
