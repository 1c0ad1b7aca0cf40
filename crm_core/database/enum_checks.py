"""Migration helper: widen or narrow the CHECK constraint behind an enum column."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


def replace_enum_check(table: str, column: str, values: Sequence[str]) -> None:
    """Replace `ck_<table>_<column>` with one accepting exactly `values` (both engines:
    batch mode rebuilds the table on SQLite, plain ALTER TABLE on PostgreSQL)."""
    name = f"ck_{table}_{column}"
    allowed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(name, type_="check")
        batch.create_check_constraint(name, sa.text(f"{column} IN ({allowed})"))
