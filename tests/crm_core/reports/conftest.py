"""The reports' fixed dataset lives in October 2026: its periods must be open to writes
(presence sets kept) whatever the day the suite runs, so the tests run on a clock set to
the first of November 2026 in Paris. A clock rather than a patched function: every
reader of the date (the folder, the pruning, the API) sees the same day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time

import pytest

from tests.support import clock

DATASET_TODAY = date(2026, 11, 1)  # October and all its days still open (LATE_DAYS)


@pytest.fixture(autouse=True)
def _reports_clock() -> Iterator[None]:
    with clock.starting_at(datetime.combine(DATASET_TODAY, time(10, 0), clock.PARIS)):
        yield
