"""CPU time spent by the processes of a benchmark, read from /proc (Linux).

On a shared 2-core machine a run's throughput moves by a third from one run to the next;
the CPU each event costs moves much less, and says where the time goes. Elsewhere than
Linux, or for a database on another machine, the figures are simply absent.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    cpu_s: float  # user + system
    command: str


def processes() -> dict[int, Proc]:
    """Every process readable now (those that end meanwhile are skipped)."""
    found: dict[int, Proc] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry.name)] = Proc(int(entry.name), int(fields[1]),
                                      (int(fields[11]) + int(fields[12])) / _TICK, command)
    return found


def tree(table: dict[int, Proc], roots: set[int]) -> set[int]:
    """`roots` and all their descendants."""
    members = {pid for pid in roots if pid in table}
    while True:
        more = {p.pid for p in table.values() if p.ppid in members} - members
        if not more:
            return members
        members |= more


def children_running(table: dict[int, Proc], needle: str) -> set[int]:
    """This process's children whose command line holds `needle`, with descendants."""
    me = os.getpid()
    return tree(table, {p.pid for p in table.values() if p.ppid == me and needle in p.command})


def postmaster_of(engine: Engine) -> int | None:
    """The local PostgreSQL server's main process (a backend's parent), if it is local."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        backend = int(connection.scalar(text("SELECT pg_backend_pid()")) or 0)
    table = processes()
    return table[backend].ppid if backend in table else None


Selector = Callable[[dict[int, Proc]], set[int]]


@dataclass
class CpuMeter:
    """CPU seconds per named group of processes between `start()` and `stop()`."""

    groups: dict[str, Selector]
    spent: dict[str, float] = field(default_factory=dict)
    _began: dict[int, float] = field(default_factory=dict)

    def start(self) -> None:
        self._began = {pid: proc.cpu_s for pid, proc in processes().items()}

    def stop(self) -> dict[str, float]:
        table = processes()
        for name, select in self.groups.items():
            if members := select(table):  # a group with no process here is left out
                self.spent[name] = sum(table[pid].cpu_s - self._began.get(pid, 0.0)
                                       for pid in members)
        return self.spent


def this_process_only(table: dict[int, Proc]) -> set[int]:
    return {os.getpid()}


def postgres_tree(postmaster: int | None) -> Selector:
    return lambda table: tree(table, {postmaster}) if postmaster else set()
