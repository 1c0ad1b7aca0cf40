"""The tests' clock: set where a picture or an assertion shows a date, shifted on demand.

Two tools, both from `time-machine` (it patches the wall clock of this process: `time.time`,
`datetime.now`, `date.today`, the local time zone; never `time.monotonic`, so asyncio,
uvicorn, Textual and every timeout keep running):

- `starting_at(moment)`: the clock set to `moment` and running from there (a test that
  draws a date gets the same picture on any day);
  `machine_in(zone, moment)` also moves the machine's own time zone;
- `RELAIS_TEST_CLOCK=2031-01-01T00:20:00+01:00` (with its offset) shifts the whole run (each
  test process, from its start) to that instant, where the clock then runs on. `tests/run`
  runs the date-sensitive tests a second time that way, under another `TZ`, so that a test
  (or code) that depends on today's date, the hour or the machine's zone fails in CI.

`faketime` (a preloaded library) was tried around the whole suite: it also shifts the
monotonic clocks of the servers the run starts (PostgreSQL, pcscd), which then hang.
Python child processes get the same shift through `python_command` instead; the OpenID
provider (Node.js) through `node_clock_options`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

SHIFT_VARIABLE = "RELAIS_TEST_CLOCK"
PARIS = ZoneInfo("Europe/Paris")
# Where pictures are taken: a weekday morning in Paris, in winter time.
PICTURE_MOMENT = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)

_shift: time_machine.travel | None = None


def shifted_moment() -> datetime | None:
    """The instant `RELAIS_TEST_CLOCK` asks for (an ISO 8601 time with its offset), if any."""
    text = os.environ.get(SHIFT_VARIABLE, "").strip()
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{SHIFT_VARIABLE} needs an offset, e.g. 2027-01-01T00:20:00+01:00")
    return moment


def start_shift() -> datetime | None:
    """Shift this process's clock as `RELAIS_TEST_CLOCK` says (once, at start-up)."""
    global _shift
    moment = shifted_moment()
    if moment is None or _shift is not None:
        return moment
    # A UTC destination: time-machine would otherwise also set this process's TZ, and the
    # machine's zone is the other half of the experiment (tests/run sets TZ on its own).
    _shift = time_machine.travel(moment.astimezone(UTC), tick=True)
    _shift.start()
    time.time()  # time-machine's clock starts running at its first reading: now, not later
    return moment


def stop_shift() -> None:
    global _shift
    if _shift is not None:
        _shift.stop()
        _shift = None


@contextlib.contextmanager
def starting_at(moment: datetime = PICTURE_MOMENT) -> Iterator[datetime]:
    """The clock set to `moment` and running from there: for tests against a live server,
    whose records need distinct, ordered times (a stopped clock would tie them)."""
    with time_machine.travel(moment.astimezone(UTC), tick=True):
        yield moment


@contextlib.contextmanager
def machine_in(zone: str, moment: datetime) -> Iterator[datetime]:
    """The clock set to `moment` and running, on a machine whose own time zone is `zone`
    (time-machine sets TZ when its destination carries a ZoneInfo): for code that must use
    the city's date, not the server's, where the two differ."""
    with time_machine.travel(moment.astimezone(ZoneInfo(zone)), tick=True):
        yield moment


def offset_seconds() -> float:
    """How far this process's clock is from the real one (0 when not shifted)."""
    if _shift is None:
        return 0.0
    return time.time() - time_machine.escape_hatch.time.time()


def python_command(*args: str) -> list[str]:
    """`python ARGS` for a child process, on the same (shifted) clock as the tests.

    Shifted, the child first moves its clock by the parent's offset from real time
    (`tests/support/shifted_python.py`: an offset, not an instant, so that the child's
    start-up does not leave it behind), then runs MODULE as `python -m` would."""
    if _shift is None:
        return [sys.executable, *args]
    if args[:1] != ("-m",):
        raise ValueError("python_command shifts `-m MODULE ...` children only")
    root = str(Path(__file__).resolve().parents[2])
    start = (f"import sys; sys.path.insert(0, {root!r}); "
             "from tests.support.shifted_python import main; main()")
    return [sys.executable, "-c", start, f"{offset_seconds():.6f}", *args[1:]]


def node_clock_options() -> dict[str, str]:
    """Environment for a Node.js child so that its `Date` follows the tests' clock."""
    if _shift is None:
        return {}
    script = os.path.join(os.path.dirname(__file__), "node_clock.cjs")
    options = os.environ.get("NODE_OPTIONS", "")
    return {"NODE_OPTIONS": f"{options} --require {script}".strip(),
            "RELAIS_TEST_CLOCK_OFFSET_MS": str(round(offset_seconds() * 1000))}


def city_zone() -> str:
    """The city's time zone as the application under test has it (`RELAIS_TIMEZONE`)."""
    from crm_core.config import get_settings

    return get_settings().timezone


def city_day() -> date:
    """Today in the city, on this test's (possibly shifted) clock."""
    from crm_core.config import city_today

    return city_today(city_zone())


PHONE_REGION = "FR"  # the default `RELAIS_DEFAULT_PHONE_REGION`, which the tests keep
