"""`relais counter` and `relais phone` start without the server's modules; the rest of
the command line is still all there."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
sys.argv = ["relais", *sys.argv[1:]]
from crm_core.app.launcher import main
try:
    main()
except SystemExit:
    pass
print("LOADED", *sorted(m for m in ("sqlalchemy", "fastapi", "crm_core.app.cli", "escpos")
                        if m in sys.modules))
"""


def _run(*args: str) -> tuple[str, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, timeout=120, check=True)
    *output, loaded = done.stdout.strip().splitlines()
    return "\n".join(output), set(loaded.split()[1:])


@pytest.mark.parametrize("command", ["counter", "phone", "password"])
def test_the_terminal_apps_start_without_the_server(command: str) -> None:
    output, loaded = _run(command, "--help")
    assert f"relais {command}" in output
    assert loaded == set()


def test_every_other_command_gets_the_whole_command_line() -> None:
    output, loaded = _run("--help")
    for command in ("serve", "demo", "bench", "counter", "phone", "worker"):
        assert command in output
    assert "crm_core.app.cli" in loaded


def test_without_the_benchmarks_folder_bench_says_where_they_are() -> None:
    """An installed Relais has no `benchmarks/` (not in the wheel): `relais bench …` says so
    in French, and every other command is still there."""
    probe = ("import sys; sys.modules['benchmarks'] = None; "
             "sys.argv = ['relais', *sys.argv[1:]]; from crm_core.app.launcher import main; main()")
    done = subprocess.run([sys.executable, "-c", probe, "bench", "core", "--residents", "10"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "copie du dépôt" in done.stderr
    listed = subprocess.run([sys.executable, "-c", probe, "--help"], capture_output=True,
                            text=True, timeout=120, check=True)
    for command in ("serve", "demo", "bench", "report", "audit"):
        assert command in listed.stdout
