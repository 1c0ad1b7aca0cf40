"""Every model loaded and the mappers configured, before anything touches the database.

A model's foreign-key column takes its type from the table it points to: with that table's
model never imported, `access_log.agent_id` read back as a bare hex string and the
unit of work could not sort an insert (`NoReferencedTableError`). `load_models()` (run by
`crm_core.bootstrap.bootstrap()`, and by Alembic's environment) imports the core's models
and those of every plugin, so no command depends on which modules it happened to import.
"""

from __future__ import annotations

import importlib

from sqlalchemy.orm import configure_mappers

from crm_core.plugins import plugins


def load_models() -> None:
    """Register every model, then configure the mappers (idempotent, cheap once done)."""
    importlib.import_module("crm_core.database.models")
    for plugin in plugins():
        if plugin.models:
            importlib.import_module(plugin.models)
    configure_mappers()
