"""audit chain and consents: access_log_seal, audit_purge, consent_change; consent
operations in the access log; append-only triggers on the access log

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The CHECK on access_log.operation as it stands after 0003, and after this migration.
OPERATIONS_BEFORE = (
    'read_summary', 'lookup', 'read_case', 'create_resident', 'update_resident',
    'add_contact_point', 'link_account', 'open_case', 'update_case', 'record_interaction',
    'issue_badge', 'revoke_badge', 'badge_scan', 'merge_resident', 'unmerge_resident',
)
OPERATIONS_AFTER = (*OPERATIONS_BEFORE, 'read_consents', 'update_consent', 'export_data',
                    'erase_resident')


def _set_operations(values: tuple[str, ...]) -> None:
    # Batch mode: SQLite copies the table (which drops its triggers: created after this).
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_constraint('ck_access_log_operation', type_='check')
        batch_op.create_check_constraint(
            'ck_access_log_operation',
            'operation IN (' + ', '.join(f"'{value}'" for value in values) + ')',
        )


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
    op.create_table('consent_change',
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sa.Enum('contact_phone', 'contact_email', 'contact_sms', 'contact_post', 'reminders', 'account_profile_at_counter', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Enum('resident', 'agent', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('channel', sa.Enum('web', 'counter', 'phone', 'email', 'mail', 'chat', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('agent_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_consent_change_agent_id_agent')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_consent_change_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_change'))
    )
    with op.batch_alter_table('consent_change', schema=None) as batch_op:
        batch_op.create_index('ix_consent_change_resident_purpose', ['resident_id', 'purpose', 'changed_at'], unique=False)

    _set_operations(OPERATIONS_AFTER)
    _create_triggers(op.get_bind())


def downgrade() -> None:
    _drop_triggers(op.get_bind())
    added = ", ".join(f"'{value}'" for value in OPERATIONS_AFTER[len(OPERATIONS_BEFORE):])
    op.execute(f"DELETE FROM access_log WHERE operation IN ({added})")
    _set_operations(OPERATIONS_BEFORE)
    with op.batch_alter_table('consent_change', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_change_resident_purpose')
    op.drop_table('consent_change')
    op.drop_table('audit_purge')
    op.drop_table('access_log_seal')


# The append-only triggers, frozen as this migration created them: UPDATE refused on the
# log, its hash chain and the purge records; DELETE refused except for the rows and links
# a retention purge record covers (the purge writes that record first); TRUNCATE refused on
# PostgreSQL. A later migration that rebuilds one of these tables (SQLite's batch mode
# copies a table, which drops its triggers) must carry their DDL again, as 0016 does.
_SQLITE = {
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
    "trg_access_log_seal_no_update": (
        "CREATE TRIGGER trg_access_log_seal_no_update BEFORE UPDATE ON access_log_seal"
        " BEGIN SELECT RAISE(ABORT, 'access_log_seal is append-only'); END"
    ),
    "trg_access_log_seal_no_delete": (
        "CREATE TRIGGER trg_access_log_seal_no_delete BEFORE DELETE ON access_log_seal"
        " WHEN OLD.seq > COALESCE((SELECT MAX(up_to_seq) FROM audit_purge), 0)"
        " BEGIN SELECT RAISE(ABORT, 'access_log_seal links leave only by the purge'); END"
    ),
    "trg_audit_purge_no_update": (
        "CREATE TRIGGER trg_audit_purge_no_update BEFORE UPDATE ON audit_purge"
        " BEGIN SELECT RAISE(ABORT, 'audit_purge is append-only'); END"
    ),
    "trg_audit_purge_no_delete": (
        "CREATE TRIGGER trg_audit_purge_no_delete BEFORE DELETE ON audit_purge"
        " BEGIN SELECT RAISE(ABORT, 'audit_purge is append-only'); END"
    ),
}

_PG_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION relais_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only',
            ERRCODE = '55000';
    END $$""",
    """CREATE OR REPLACE FUNCTION relais_access_log_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM access_log_seal s WHERE s.log_id = OLD.id
                   AND s.seq <= (SELECT MAX(up_to_seq) FROM audit_purge)) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'access_log rows leave only by the retention purge'
            USING ERRCODE = '55000';
    END $$""",
    """CREATE OR REPLACE FUNCTION relais_access_log_seal_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.seq <= COALESCE((SELECT MAX(up_to_seq) FROM audit_purge), 0) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'access_log_seal links leave only by the purge'
            USING ERRCODE = '55000';
    END $$""",
)

_PG_TRIGGERS = {
    "trg_access_log_no_update": ("access_log", "BEFORE UPDATE", "ROW", "relais_refuse_change"),
    "trg_access_log_no_delete": ("access_log", "BEFORE DELETE", "ROW",
                                 "relais_access_log_delete"),
    "trg_access_log_no_truncate": ("access_log", "BEFORE TRUNCATE", "STATEMENT",
                                   "relais_refuse_change"),
    "trg_access_log_seal_no_update": ("access_log_seal", "BEFORE UPDATE", "ROW",
                                      "relais_refuse_change"),
    "trg_access_log_seal_no_delete": ("access_log_seal", "BEFORE DELETE", "ROW",
                                      "relais_access_log_seal_delete"),
    "trg_access_log_seal_no_truncate": ("access_log_seal", "BEFORE TRUNCATE", "STATEMENT",
                                        "relais_refuse_change"),
    "trg_audit_purge_no_change": ("audit_purge", "BEFORE UPDATE OR DELETE", "ROW",
                                  "relais_refuse_change"),
    "trg_audit_purge_no_truncate": ("audit_purge", "BEFORE TRUNCATE", "STATEMENT",
                                    "relais_refuse_change"),
}


def _create_triggers(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for function in _PG_FUNCTIONS:
            connection.exec_driver_sql(function)
        for name, (table, when, level, function) in _PG_TRIGGERS.items():
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name} {when} ON {table} FOR EACH {level}"
                f" EXECUTE FUNCTION {function}()"
            )
        return
    for name, statement in _SQLITE.items():
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(statement)


def _drop_triggers(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for name, (table, *_rest) in _PG_TRIGGERS.items():
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in ("relais_refuse_change", "relais_access_log_delete",
                         "relais_access_log_seal_delete"):
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}()")
        return
    for name in _SQLITE:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
