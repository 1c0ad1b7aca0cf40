"""reports: delta journal, roll-up cells, presence sets (supervisors' channel reports)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:12:13.183332
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_cell',
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.Column('residents', sa.BigInteger(), nullable=False),
    sa.Column('sum1', sa.Float(), nullable=False),
    sa.Column('sum2', sa.Float(), nullable=False),
    sa.Column('ok', sa.BigInteger(), nullable=False),
    sa.Column('due', sa.BigInteger(), nullable=False),
    sa.Column('flag1', sa.BigInteger(), nullable=False),
    sa.Column('flag2', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'grain', 'period', 'site_id', 'service_id', 'channel', 'detail', name=op.f('pk_report_cell'))
    )
    op.create_table('report_delta',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_delta'))
    )
    op.create_table('report_presence',
    sa.Column('who', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'grain', 'period', 'site_id', 'service_id', 'channel', 'detail', 'who', name=op.f('pk_report_presence'))
    )


def downgrade() -> None:
    op.drop_table('report_presence')
    op.drop_table('report_delta')
    op.drop_table('report_cell')
