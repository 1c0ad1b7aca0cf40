from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context

from crm_core.database.base import Base, UTCDateTime

# The metadata is complete once `crm_core.app.bootstrap.bootstrap()` has loaded every model
# (the core's and the plugins'), which every entry point does first; a migration itself
# carries its own SQL and needs no model, only a comparison with the models does.


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations stay plain SQLAlchemy: our UTC wrapper is a Python-side concern only.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, sa.Enum):
        # Unnamed, so each CHECK is named after its table and column by the convention.
        values = ", ".join(repr(value) for value in obj.enums)
        return f"sa.Enum({values}, native_enum=False, create_constraint=True, length={obj.length})"
    return False


config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
