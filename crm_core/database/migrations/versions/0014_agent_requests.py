"""agent requests: four eyes on access to residents' data; agent changes as security events

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = ('sign_in_locked', 'lookup_scan', 'inbound_flood')
KINDS_AFTER = (*KINDS_BEFORE, 'agent_changed')
ROLES = ('counter', 'phone', 'supervisor', 'admin')
STATUSES = ('pending', 'approved', 'refused', 'superseded')


def _set_kinds(values: tuple[str, ...]) -> None:
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_constraint('ck_security_event_kind', type_='check')
        batch_op.create_check_constraint(
            'ck_security_event_kind',
            'kind IN (' + ', '.join(f"'{value}'" for value in values) + ')',
        )


def upgrade() -> None:
    op.create_table('agent_request',
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('role', sa.Enum(*ROLES, native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum(*STATUSES, native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_agent_request_agent_id_agent')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['agent.id'], name=op.f('fk_agent_request_decided_by_id_agent')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['agent.id'], name=op.f('fk_agent_request_requested_by_id_agent')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_agent_request_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_request'))
    )
    op.create_index(op.f('ix_agent_request_agent_id'), 'agent_request', ['agent_id'], unique=False)
    _set_kinds(KINDS_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM security_event WHERE kind = 'agent_changed'")
    _set_kinds(KINDS_BEFORE)
    op.drop_index(op.f('ix_agent_request_agent_id'), table_name='agent_request')
    op.drop_table('agent_request')
