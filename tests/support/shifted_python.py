"""A Python child of a shifted test run (`clock.python_command`): `main()` reads OFFSET
MODULE ARGS... from the command line and runs MODULE (as `python -m` would) with this
process's clock moved by OFFSET seconds from real time, as its parent's is."""

from __future__ import annotations

import runpy
import sys
import time

import time_machine


def main() -> None:
    offset, module, *args = sys.argv[1:]
    time_machine.travel(time.time() + float(offset), tick=True).start()
    time.time()  # time-machine's clock starts running at its first reading: now, not later
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
