"""The reports' fixed dataset lives in October 2026: its periods must be open to writes
(presence sets kept) whatever the day the suite runs, so the roll-ups' clock is set."""

from __future__ import annotations

from datetime import date

import pytest

from crm_core.reports import rollup

DATASET_TODAY = date(2026, 11, 1)  # October and all its days still open (LATE_DAYS)


@pytest.fixture(autouse=True)
def _reports_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rollup, "local_today", lambda: DATASET_TODAY)
