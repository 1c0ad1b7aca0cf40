"""Erasure hooks: packages built on the core (integrations...) register here how their own
tables that point at a resident are scrubbed, so the core never imports them."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

Scrubber = Callable[[Session, list[uuid.UUID]], None]

# "table.column" -> (what erasure does, the function that does it)
HOOKS: dict[str, tuple[str, Scrubber]] = {}


def register(column: str, description: str, scrubber: Scrubber) -> None:
    HOOKS[column] = (description, scrubber)
