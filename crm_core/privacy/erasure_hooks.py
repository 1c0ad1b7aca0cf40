"""Erasure hooks: packages built on the core (the space, the integrations...) register here
how their own tables that point at a resident are scrubbed, so the core never imports them.

They register in `crm_core.app.bootstrap.bootstrap()`, never on import: an erasure run by a
process that skipped it refuses to run rather than leave those tables unscrubbed."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

Scrubber = Callable[[Session, list[uuid.UUID]], None]

# "table.column" -> (what erasure does, the function that does it)
HOOKS: dict[str, tuple[str, Scrubber]] = {}
_complete: list[bool] = []  # one True once start-up registered every hook


def register(column: str, description: str, scrubber: Scrubber) -> None:
    HOOKS[column] = (description, scrubber)


def mark_complete() -> None:
    """Every hook is in (called last by the bootstrap)."""
    _complete[:] = [True]


def scrubbers() -> list[Scrubber]:
    if not _complete:
        raise RuntimeError("erasure hooks not registered: call crm_core.app.bootstrap.bootstrap()"
                           " at start-up")
    return [scrubber for _, scrubber in HOOKS.values()]
