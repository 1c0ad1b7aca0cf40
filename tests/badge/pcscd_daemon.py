"""Run Debian's real ``pcscd`` for the card tests, with vsmartcard's ``vpcd`` reader.

The daemon gets its own reader configuration (``pcscd --config <dir>``): one ``vpcd``
reader on a free port pair (vpcd opens two slots, on ``port`` and ``port + 1``), so the
tests never depend on ``/etc/reader.conf.d`` or on port 35963.

pcscd 1.9 always puts its socket in ``/run/pcscd``. So the daemon is started in a private
mount namespace (``unshare --mount``, inside a user namespace when not root) with a fresh
tmpfs on ``/run`` and a temporary directory bind-mounted on ``/run/pcscd``; the client
library is pointed at it with ``PCSCLITE_CSOCK_NAME``. A system pcscd, if any, is left
alone and nothing is written to the real ``/run``. Where namespaces are not available, the
daemon runs on the real ``/run/pcscd`` provided no other pcscd is there (as root).

pcscd is started in the foreground as a direct child, with a parent-death signal, and is
always stopped (SIGTERM, then SIGKILL) by :meth:`PcscDaemon.stop`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PCSCD = shutil.which("pcscd") or "/usr/sbin/pcscd"
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SYSTEM_SOCKET = Path("/run/pcscd/pcscd.comm")
READER_NAME = "Relais test reader"
_PR_SET_PDEATHSIG = 1


def missing_requirements() -> str | None:
    """Why the real-pcscd tests cannot run here, or ``None`` if they can."""
    if not Path(PCSCD).exists():
        return "Debian package pcscd is not installed (the project's tests/run installs it)"
    if not VPCD_DRIVER.exists():
        return "Debian package vsmartcard-vpcd is not installed (tests/run installs it)"
    return None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port >= 65535:
            continue
        with socket.socket() as second:
            try:
                second.bind(("0.0.0.0", port + 1))  # noqa: S104 - vpcd binds all addresses
            except OSError:
                continue
        return port
    raise RuntimeError("no free TCP port pair for vpcd")


def _unshare_prefix() -> list[str] | None:
    """``unshare`` arguments giving pcscd a private mount namespace, if the system allows.

    Root gets a plain mount namespace; another user a user namespace mapping it to root.
    """
    if shutil.which("unshare") is None:
        return None
    prefix = ["unshare", "--mount", "--propagation", "private"]
    if os.geteuid() != 0:
        prefix[1:1] = ["--user", "--map-root-user"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    return prefix if probe.returncode == 0 else None


def _system_pcscd_running() -> bool:
    if not SYSTEM_SOCKET.exists():
        return False
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(SYSTEM_SOCKET))
        except OSError:
            return False
    return True


class PcscDaemon:
    """One pcscd for a test session, started and stopped at will (to test restarts)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port_pair()
        self.run_dir = workdir / "run"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "pcscd.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._log_offset = 0
        self._unshare = _unshare_prefix()
        if self._unshare is not None:
            self.private = True
            self.socket_path = self.run_dir / "pcscd.comm"
        elif os.geteuid() == 0 and not _system_pcscd_running():
            self.private = False
            self.socket_path = SYSTEM_SOCKET
        else:
            raise RuntimeError(
                "cannot run a private pcscd: mount namespaces are not available and "
                "/run/pcscd is taken by a system pcscd or not writable"
            )

    @property
    def reader_names(self) -> list[str]:
        return [f"{READER_NAME} 00 00", f"{READER_NAME} 00 01"]

    def _write_config(self, *, with_reader: bool) -> Path:
        conf_dir = self.workdir / ("conf" if with_reader else "conf-empty")
        conf_dir.mkdir(exist_ok=True)
        if with_reader:
            (conf_dir / "vpcd").write_text(
                f'FRIENDLYNAME "{READER_NAME}"\n'
                f"DEVICENAME   /dev/null:0x{self.port:04X}\n"
                f"LIBPATH      {VPCD_DRIVER}\n"
                f"CHANNELID    0x{self.port:04X}\n"
            )
        return conf_dir

    def start(self, *, with_reader: bool = True, timeout: float = 20.0) -> None:
        if self._process is not None:
            raise RuntimeError("pcscd already running")
        conf_dir = self._write_config(with_reader=with_reader)
        command = [PCSCD, "--foreground", "--debug", "--config", str(conf_dir)]
        if self._unshare is not None:
            command = [
                *self._unshare, "--",
                "sh", "-c",
                'mount -t tmpfs tmpfs /run && mkdir /run/pcscd '
                '&& mount --bind "$0" /run/pcscd && exec "$@"',
                str(self.run_dir), *command,
            ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # If the test run dies, pcscd gets SIGTERM instead of lingering.
                preexec_fn=_die_with_parent,
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"pcscd exited early:\n{self.log_tail()}")
            if b"daemon ready" in self._new_log() and self.socket_path.exists():
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"pcscd not ready after {timeout} s:\n{self.log_tail()}")

    def _new_log(self) -> bytes:
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            return log.read()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if not self.private:
            # pcscd removes them on a clean exit; after a SIGKILL they would stay behind.
            for leftover in (SYSTEM_SOCKET, SYSTEM_SOCKET.with_name("pcscd.pid")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()

    def restart(self, *, with_reader: bool = True) -> None:
        self.stop()
        self.start(with_reader=with_reader)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None
