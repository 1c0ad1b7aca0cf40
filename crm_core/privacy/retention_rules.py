"""What a retention rule is: a function that finds what has outlived its purpose, deals
with it (or only counts it, in a dry run) and says what it did.

The rules of the core run in `crm_core.rights.retention`; other packages' rules (abuse
counters, resident sessions) are plain functions of this shape, which the bootstrap adds
there, so they need not import the rights that read every domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from crm_core.config import Settings


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    label: str
    cutoff: datetime
    rows: int
    applied: bool


Rule = Callable[[Session, datetime, Settings, bool], RuleOutcome]
