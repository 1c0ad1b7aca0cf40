"""channels: SMS, the way the city's text reminders reach residents (they were filed as
phone calls)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-09 04:30:00
"""

import re
from collections.abc import Sequence

from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS_BEFORE = ('web', 'counter', 'phone', 'email', 'mail', 'chat')
CHANNELS_AFTER = (*CHANNELS_BEFORE, 'sms')
# (table, column): every column of the Channel enum.
COLUMNS = (
    ('interaction', 'channel'), ('case', 'origin_channel'), ('case_status_change', 'channel'),
    ('contact_point', 'source_channel'), ('account_link', 'source_channel'),
    ('access_log', 'channel'), ('consent_change', 'channel'),
)


def _values(values: tuple[str, ...]) -> str:
    return ', '.join(f"'{value}'" for value in values)


def _sqlite_check(table: str, column: str, values: tuple[str, ...]) -> None:
    """Rewrite the CHECK in the table's stored definition, the procedure SQLite documents
    for changing a CHECK in place (ALTER TABLE, section "other kinds of changes"). Batch
    mode would copy the table instead: that drops the triggers on access_log and the
    reports' journal, and dropping "case" breaks the foreign keys that point at it."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    pattern = re.compile(
        # Batch mode left one unnamed (account_link's, added by 0003): the column says it.
        rf'((?:CONSTRAINT\s+"?ck_{table}_{column}"?\s+)?CHECK\s*\(\s*"?{column}"?\s+IN\s*\()'
        r"([^)]*)(\))")
    rewritten, count = pattern.subn(lambda m: m.group(1) + _values(values) + m.group(3), sql)
    if count != 1:
        raise RuntimeError(f"no single CHECK on {table}.{column} in its definition")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (rewritten, table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _check(values: tuple[str, ...]) -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table, column in COLUMNS:
        if sqlite:
            _sqlite_check(table, column, values)
            continue
        # PostgreSQL changes a constraint in place (and checks the rows against it).
        op.drop_constraint(f'ck_{table}_{column}', table, type_='check')
        op.create_check_constraint(f'ck_{table}_{column}', table,
                                   f'{column} IN ({_values(values)})')


def upgrade() -> None:
    _check(CHANNELS_AFTER)


def downgrade() -> None:
    # SQLite does not check the rows against a rewritten CHECK: refuse rather than keep
    # rows the narrower constraint forbids (PostgreSQL refuses by itself).
    bind = op.get_bind()
    for table, column in COLUMNS:
        if bind.exec_driver_sql(
                f'SELECT 1 FROM "{table}" WHERE {column} = \'sms\' LIMIT 1').first():
            raise RuntimeError(f"{table}.{column} holds 'sms' rows: move them first")
    _check(CHANNELS_BEFORE)
