"""The benchmarks' CPU meter reads real processes from /proc."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from benchmarks.cpu import CpuMeter, children_running, processes, this_process_only

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


_CHILD = """
import sys, time
sys.stdin.readline()
end = time.process_time() + 0.3
while time.process_time() < end:
    pass
print("done", flush=True)
sys.stdin.readline()
"""


def test_the_meter_counts_this_process_and_its_named_children() -> None:
    with subprocess.Popen([sys.executable, "-c", _CHILD, "relais-meter-test"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdin is not None and child.stdout is not None
        meter = CpuMeter({"me": this_process_only,
                          "child": lambda table: children_running(table, "relais-meter-test"),
                          "nobody": lambda table: set()})
        meter.start()
        child.stdin.write("go\n")
        child.stdin.flush()
        _burn(0.2)
        assert child.stdout.readline() == "done\n"
        spent = meter.stop()
        assert 0.15 <= spent["me"] < 5  # /proc counts in ticks of 10 ms
        assert 0.25 <= spent["child"] < 5
        assert "nobody" not in spent  # no process: no figure, rather than a zero
        assert child.pid in processes()
        child.kill()
