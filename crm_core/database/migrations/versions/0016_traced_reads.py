"""traced reads: access-log rows without a resident (one per search), read operations of
badges, reminders, calls and the queue; the find rate limit and the (address, username)
sign-in counter; the find-rate security event

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPERATIONS_BEFORE = (
    'read_summary', 'lookup', 'read_case', 'create_resident', 'update_resident',
    'add_contact_point', 'link_account', 'open_case', 'update_case', 'record_interaction',
    'issue_badge', 'revoke_badge', 'badge_scan', 'merge_resident', 'unmerge_resident',
    'read_consents', 'update_consent', 'export_data', 'erase_resident',
)
OPERATIONS_AFTER = (*OPERATIONS_BEFORE, 'search', 'read_badges', 'read_reminders',
                    'read_call', 'read_queue')
BUCKETS_BEFORE = ('sign_in_failure_user', 'sign_in_failure_address', 'lookup_miss',
                  'ds_hint', 'open311_post')
BUCKETS_AFTER = (*BUCKETS_BEFORE, 'sign_in_failure_pair', 'find')
KINDS_BEFORE = ('sign_in_locked', 'lookup_scan', 'inbound_flood', 'agent_changed')
KINDS_AFTER = (*KINDS_BEFORE, 'find_rate')

# SQLite's batch mode copies access_log, which drops its triggers: they are taken down
# first and put back after, as migration 0007 wrote them (PostgreSQL alters in place).
SQLITE_TRIGGERS = {
    "trg_access_log_no_update": (
        "CREATE TRIGGER trg_access_log_no_update BEFORE UPDATE ON access_log"
        " BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"
    ),
    "trg_access_log_no_delete": (
        "CREATE TRIGGER trg_access_log_no_delete BEFORE DELETE ON access_log"
        " WHEN NOT EXISTS (SELECT 1 FROM access_log_seal s WHERE s.log_id = OLD.id"
        " AND s.seq <= (SELECT MAX(up_to_seq) FROM audit_purge))"
        " BEGIN SELECT RAISE(ABORT, 'access_log rows leave only by the retention purge'); END"
    ),
}


def _check(table: str, column: str, values: tuple[str, ...]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(f'ck_{table}_{column}', type_='check')
        batch_op.create_check_constraint(
            f'ck_{table}_{column}',
            f'{column} IN (' + ', '.join(f"'{value}'" for value in values) + ')',
        )


def _access_log(operations: tuple[str, ...], resident_nullable: bool) -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for name in SQLITE_TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.alter_column('resident_id', existing_type=sa.Uuid(),
                              nullable=resident_nullable)
        batch_op.drop_constraint('ck_access_log_operation', type_='check')
        batch_op.create_check_constraint(
            'ck_access_log_operation',
            'operation IN (' + ', '.join(f"'{value}'" for value in operations) + ')',
        )
    if sqlite:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def upgrade() -> None:
    _access_log(OPERATIONS_AFTER, True)
    _check('abuse_counter', 'bucket', BUCKETS_AFTER)
    _check('security_event', 'kind', KINDS_AFTER)


def downgrade() -> None:
    # Search rows (no resident) cannot survive a NOT NULL column; the log is append-only,
    # so a downgrade past this revision needs them purged by hand first.
    _check('security_event', 'kind', KINDS_BEFORE)
    _check('abuse_counter', 'bucket', BUCKETS_BEFORE)
    _access_log(OPERATIONS_BEFORE, False)
