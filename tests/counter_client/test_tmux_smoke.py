"""Smoke test: the real `relais counter` in a tmux terminal, a scan typed, the screen read."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from crm_core.client import RelaisClient
from tests.counter_client.support import create_resident
from tests.support.clock import python_command
from tests.support.live_server import LiveServer
from tests.support.required import missing

TMUX = shutil.which("tmux")


class Terminal:
    def __init__(self, name: str) -> None:
        self.name = name

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], check=True,
            capture_output=True, text=True,
        ).stdout

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; screen was:\n{screen}")
            time.sleep(0.2)


@pytest.fixture
def terminal(live_server: LiveServer, tmp_path: Path) -> Iterator[Terminal]:
    if TMUX is None:
        missing("tmux is not installed (tests/run installs it)")
    name = f"relais-counter-{uuid.uuid4().hex[:8]}"
    command = " ".join([
        "env", f"RELAIS_COUNTER_DATA_DIR={shlex.quote(str(tmp_path / 'counter'))}",
        "TERM=xterm-256color",
        *map(shlex.quote, python_command("-m", "crm_core.app.launcher", "counter")),
        "--server", live_server.url,
    ])
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", command], check=True
    )
    try:
        yield Terminal(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False)


def test_real_app_in_tmux_scan_opens_the_resident(
    engine: Engine, terminal: Terminal, api: RelaisClient,
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("one terminal run is enough (the server side is tested on both engines)")
    resident = create_resident(api, given_name="Noémie", family_name="Le Gall")
    token = api.issue_badge(resident["id"])["token"]
    assert token is not None  # a QR badge: its token comes with it
    terminal.wait_for("Identifiant de l'agent")
    time.sleep(0.5)
    terminal.type("accueil")
    terminal.keys("Enter")  # Enter on the name moves on to the password
    time.sleep(0.3)
    terminal.type("secret-pass")
    terminal.keys("Enter")
    terminal.wait_for("Scannez le badge")
    terminal.type(token)  # a keyboard-wedge scanner types the token, then Enter
    terminal.keys("Enter")
    screen = terminal.wait_for("Noémie LE GALL")
    assert "Badge : QR ✓ actif" in screen
    assert "en ligne" in screen
    terminal.keys("F1")
    terminal.wait_for("Aide — touches du guichet")
    terminal.keys("Escape", "C-q")
