from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from crm_core.database.engine import make_engine
from crm_core.database.migrate import current_revision, head_revision, upgrade
from crm_core.database.models import Base


def test_upgrade_empty_database_matches_the_models(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        upgrade(engine)  # idempotent: a second run is a no-op
    finally:
        engine.dispose()
