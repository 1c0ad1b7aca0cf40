"""signed URL nonces: a w.c.s. signed URL is accepted once

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'signed_url_nonce',
        sa.Column('source', sa.String(length=50), nullable=False),
        sa.Column('nonce', sa.String(length=100), nullable=False),
        sa.Column('body_sha256', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('source', 'nonce', name=op.f('pk_signed_url_nonce')),
    )
    op.create_index(op.f('ix_signed_url_nonce_expires_at'), 'signed_url_nonce',
                    ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_signed_url_nonce_expires_at'), table_name='signed_url_nonce')
    op.drop_table('signed_url_nonce')
