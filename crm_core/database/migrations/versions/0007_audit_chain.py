"""audit chain: access_log_seal and audit_purge; append-only triggers on the access log

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-01 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_core.privacy import triggers

revision: str = '0007'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('access_log_seal',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('log_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('chain_hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_access_log_seal')),
    sa.UniqueConstraint('log_id', name=op.f('uq_access_log_seal_log_id'))
    )
    op.create_table('audit_purge',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cutoff', sa.DateTime(timezone=True), nullable=False),
    sa.Column('up_to_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('anchor_hash', sa.String(length=64), nullable=False),
    sa.Column('rows_deleted', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_purge'))
    )
    # A snapshot of the trigger DDL would drift from what later migrations re-create after
    # rebuilding these tables; both call the one definition.
    triggers.create(op.get_bind())


def downgrade() -> None:
    triggers.drop(op.get_bind())
    op.drop_table('audit_purge')
    op.drop_table('access_log_seal')
