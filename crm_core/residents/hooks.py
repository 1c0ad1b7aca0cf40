"""What other domains keep in step with the register, told after each change of a file.

Recognition keeps its search keys in step (same flush, so a resident just created or
renamed is found at once). It stands above the register, so it registers here, in
`crm_core.app.bootstrap.bootstrap()`, rather than being imported by `service.py`; a change
made by a process that skipped the bootstrap is refused rather than left unindexed.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Protocol

from sqlalchemy.orm import Session


class AfterChange(Protocol):
    def __call__(self, *, db_session: Session, resident_ids: Collection[uuid.UUID]) -> None: ...


HOOKS: list[AfterChange] = []
_complete: list[bool] = []  # one True once start-up registered every hook


def register(hook: AfterChange) -> None:
    if hook not in HOOKS:
        HOOKS.append(hook)


def mark_complete() -> None:
    """Every hook is in (called last by the bootstrap)."""
    _complete[:] = [True]


def changed(*, db_session: Session, resident_ids: Collection[uuid.UUID]) -> None:
    """The files `resident_ids` changed (flushed): every hook runs, in the same transaction."""
    if not _complete:
        raise RuntimeError("resident hooks not registered: call crm_core.app.bootstrap.bootstrap()"
                           " at start-up")
    for hook in HOOKS:
        hook(db_session=db_session, resident_ids=resident_ids)
