"""Processes that a fault test kills (SIGKILL) and starts again, as systemd would."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Supervised:
    def __init__(self, command: list[str], env: Mapping[str, str]) -> None:
        self.command = command
        self.env = dict(env)
        self.kills = 0
        self.process = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        # Its own process group: a SIGKILL takes uvicorn's children with it.
        return subprocess.Popen(self.command, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def kill_and_restart(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1
        time.sleep(0.5)
        self.process = self._spawn()

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
