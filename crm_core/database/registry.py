"""The one start-up step every entry point runs before touching the database.

A model's foreign-key column takes its type from the table it points to: with that table's
model never imported, `access_log.agent_id` read back as a bare hex string and the
unit of work could not sort an insert (`NoReferencedTableError`). The server and each
`relais` command call `load_models()` first, so no command depends on which modules it
happened to import.
"""

from __future__ import annotations

import importlib

from sqlalchemy.orm import configure_mappers


def load_models() -> None:
    """Register every model, then configure the mappers (idempotent, cheap once done)."""
    importlib.import_module("crm_core.database.models")
    configure_mappers()
