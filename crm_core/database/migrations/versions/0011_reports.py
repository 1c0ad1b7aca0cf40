"""reports: delta journal, roll-up cells, presence sets (supervisors' channel reports)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:12:13.183332
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
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
    with op.batch_alter_table('report_cell', schema=None) as batch_op:
        batch_op.create_index('ix_report_cell_site_period', ['kind', 'grain', 'site_id', 'period'], unique=False)

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


    _create_journal_triggers()


# (trigger, table, event, condition, kind): the writes that feed the reports' journal.
JOURNAL_TRIGGERS = (
    ("report_journal_contact", "interaction", "INSERT", None, "contact"),
    ("report_journal_case", '"case"', "INSERT", None, "case"),
    ("report_journal_resolution", "case_status_change", "INSERT",
     "NEW.to_status IN ('resolved', 'closed') AND (NEW.from_status IS NULL"
     " OR NEW.from_status NOT IN ('resolved', 'closed'))", "resolution"),
    ("report_journal_ticket_new", "queue_ticket", "INSERT", "NEW.served_at IS NOT NULL",
     "ticket"),
    ("report_journal_ticket_served", "queue_ticket", "UPDATE OF served_at",
     "OLD.served_at IS NULL AND NEW.served_at IS NOT NULL", "ticket"),
    ("report_journal_call_new", "call", "INSERT",
     "NEW.direction = 'in' AND NEW.ended_at IS NOT NULL", "call"),
    ("report_journal_call_ended", "call", "UPDATE OF ended_at",
     "NEW.direction = 'in' AND OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL", "call"),
)


def _create_journal_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION report_journal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " INSERT INTO report_delta (kind, entity_id) VALUES (TG_ARGV[0], NEW.id);"
            " RETURN NULL; END $$"
        )
        for name, table, event, condition, kind in JOURNAL_TRIGGERS:
            when = f" WHEN ({condition})" if condition else ""
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when}"
                f" EXECUTE FUNCTION report_journal('{kind}')"
            )
        return
    for name, table, event, condition, kind in JOURNAL_TRIGGERS:
        when = f" WHEN {condition}" if condition else ""
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN"
            f" INSERT INTO report_delta (kind, entity_id) VALUES ('{kind}', NEW.id); END"
        )


def downgrade() -> None:
    is_postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, *_ in JOURNAL_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if is_postgresql else ""))
    if is_postgresql:
        op.execute("DROP FUNCTION IF EXISTS report_journal()")
    op.drop_table('report_presence')
    op.drop_table('report_delta')
    op.drop_table('report_cell')
