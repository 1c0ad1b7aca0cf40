"""`relais demo`'s database holds the demo residents' data: only its owner reads it
(crm_core/demo/runner.py; issue 19: demo.db was 0644 in a 0755 folder)."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_core.cli_database import demo_public_url
from crm_core.demo.runner import private_database


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual workstation: 0644 files, 0755 folders
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_demo_database_and_its_folder_are_created_private(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RELAIS_PUBLIC_URL", raising=False)
    data_dir = tmp_path / "relais"
    demo_public_url(data_dir=data_dir, host="127.0.0.1", port=8000)  # first, in `relais demo`
    database = data_dir / "demo.db"
    private_database(database)
    with sqlite3.connect(database) as db:  # as SQLAlchemy opens it, in WAL mode
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (x)")
        assert _mode(Path(f"{database}-wal")) == 0o600
    assert _mode(data_dir) == 0o700
    assert _mode(database) == 0o600


def test_the_demo_address_note_is_private_too(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outside look, issue 19: demo-url.txt was written 0644 beside the 0600 demo.db.
    monkeypatch.delenv("RELAIS_PUBLIC_URL", raising=False)
    (tmp_path / "demo-url.txt").write_text("http://old:1\n")  # an earlier version's, 0644
    demo_public_url(data_dir=tmp_path, host="127.0.0.1", port=8123)
    assert _mode(tmp_path / "demo-url.txt") == 0o600
    assert (tmp_path / "demo-url.txt").read_text() == "http://127.0.0.1:8123\n"


def test_an_older_demo_database_is_narrowed_but_another_file_is_left_alone(
    tmp_path: Path, open_umask: None
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    (folder / "demo.db").write_bytes(b"")
    (folder / "mine.db").write_bytes(b"")
    private_database(folder / "demo.db")
    private_database(folder / "mine.db")  # a RELAIS_DATABASE_URL of the user's
    assert _mode(folder / "demo.db") == 0o600
    assert _mode(folder / "mine.db") == 0o644
    assert _mode(folder) == 0o755  # not created here: its modes are the user's
