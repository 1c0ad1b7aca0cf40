from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from phone_desk.screens.callback import parse_due
from phone_desk.screens.desk import parse_birth_date
from tests.support.clock import PARIS

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("text", "due"),
    [("14:30", NOW.replace(hour=14, minute=30)), ("14h", NOW.replace(hour=14)),
     ("+30", NOW + timedelta(minutes=30)), ("+2h", NOW + timedelta(hours=2)),
     ("12/12 9h30", NOW.replace(month=12, day=12, hour=9, minute=30)),
     ("03/01/2027 9:05", NOW.replace(year=2027, month=1, day=3, hour=9, minute=5))],
)
def test_due_times_as_agents_type_them(text: str, due: datetime) -> None:
    assert parse_due(text, now=NOW) == due


def test_a_day_already_past_this_year_means_next_year() -> None:
    december = datetime(2026, 12, 7, 15, 0, tzinfo=PARIS)
    assert parse_due("01/01 8h", now=december) == datetime(2027, 1, 1, 8, 0,
                                                           tzinfo=PARIS)
    assert parse_due("07/12 16h", now=december) == december.replace(hour=16)
    assert parse_due("29/02/2028 9h", now=december).day == 29  # leap day, named year


@pytest.mark.parametrize("text", ["9h", "01/12/2026 9h", "07/12/2026 14h"])
def test_a_moment_already_past_is_refused_in_french(text: str) -> None:
    with pytest.raises(ValueError, match="déjà passé"):
        parse_due(text, now=datetime(2026, 12, 7, 15, 0, tzinfo=PARIS))


@pytest.mark.parametrize("text", ["demain", "25:00", "31/02 10h", ""])
def test_bad_due_times_say_how(text: str) -> None:
    with pytest.raises(ValueError, match="Heure attendue"):
        parse_due(text, now=NOW)


def test_birth_dates() -> None:
    assert parse_birth_date("12/03/1984") == date(1984, 3, 12)
    assert parse_birth_date("1.2.1990") == date(1990, 2, 1)
    assert parse_birth_date("  ") is None
    for bad in ("1984-03-12", "31/02/1984"):
        with pytest.raises(ValueError):  # noqa: PT011
            parse_birth_date(bad)
