"""A throwaway PostgreSQL cluster (initdb + pg_ctl) for the test suite and the benchmarks.

Debian's server binaries refuse to run as root, so as root we run them as `postgres` on a
directory it owns. The cluster listens on 127.0.0.1 and a private socket directory only.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def find_bin_dir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (Debian: apt-get install postgresql-15)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    base_dir: Path
    port: int
    bin_dir: Path
    run_as: str | None
    options: list[str] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603

    def start(self, *, tuned_for_tests: bool = True) -> None:
        self._run(
            str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
            "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )
        options = [
            f"-p {self.port}", f"-k {self.base_dir}", "-c listen_addresses=127.0.0.1",
            "-c max_connections=200", "-c shared_buffers=512MB",
        ]
        if tuned_for_tests:  # a throwaway cluster: durability buys nothing here
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self.options = options
        self._start()

    def _start(self) -> None:
        self._run(
            str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l",
            str(self.base_dir / "server.log"), "-o", " ".join(self.options), "-w", "-t", "60",
            "start",
        )

    def restart(self, *, mode: str = "immediate") -> None:
        """Stop (`immediate`: like a crash, recovery from the WAL at start) and start again
        on the same port and data."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w",
                  "stop")
        self._start()

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast",
                      "-w", "stop")
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """A new database (a copy of `template` when given: much faster than migrating)."""
        import psycopg

        copy_of = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # names are ours, never input
            conn.execute(f'CREATE DATABASE "{name}"{copy_of}')
        return self.url(name)


@contextlib.contextmanager
def running_cluster(*, tuned_for_tests: bool = True) -> Iterator[PostgresCluster]:
    bin_dir = find_bin_dir()
    run_as = None
    base_dir = Path(tempfile.mkdtemp(prefix="relais-pg-"))
    if os.geteuid() == 0:
        run_as = "postgres"
        user = pwd.getpwnam(run_as)
        os.chown(base_dir, user.pw_uid, user.pw_gid)
    cluster = PostgresCluster(base_dir=base_dir, port=_free_port(), bin_dir=bin_dir, run_as=run_as)
    try:
        cluster.start(tuned_for_tests=tuned_for_tests)
    except subprocess.CalledProcessError as exc:
        log = base_dir / "server.log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        shutil.rmtree(base_dir, ignore_errors=True)
        raise PostgresUnavailable(f"could not start PostgreSQL: {exc.stderr}\n{tail}") from exc
    try:
        yield cluster
    finally:
        cluster.stop()
