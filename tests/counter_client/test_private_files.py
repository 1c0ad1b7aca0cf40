"""The counter's data folder (journal, print spool, session) is the agent's only
(issue 19, point 2): created 0700/0600 whatever the umask, repaired at start if not."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_client.cli import build_app
from counter_client.journal import Journal
from crm_core.client.private_files import DataDirError, secure_data_dir
from tests.counter_client.support import running, seed_services, sign_in, wait_for
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(folder: Path) -> dict[str, int]:
    return {path.name: stat.S_IMODE(path.stat().st_mode)
            for path in [folder, *folder.iterdir()]}


async def test_every_file_is_created_private_whatever_the_umask(
    live_server: LiveServer, tmp_path: Path
) -> None:
    seed_services(live_server)
    folder = tmp_path / "counter"
    with umask(0):  # the most permissive workstation
        app = build_app(server=live_server.url, printer="tcp://127.0.0.1:9", data_dir=folder)
        try:
            async with running(app, (80, 24)) as pilot:
                await sign_in(pilot)
                await wait_for(pilot, lambda: (folder / "session.json").exists())
            modes = _modes(folder)
        finally:
            assert app.print_queue is not None
            app.print_queue.close()
    assert {"journal.sqlite3", "print-spool.sqlite3", "print-spool.sqlite3.lock",
            "session.json"} <= set(modes)
    assert modes.pop("counter") == 0o700
    assert modes == dict.fromkeys(modes, 0o600)


async def test_a_folder_left_readable_is_repaired_and_the_agent_warned(
    live_server: LiveServer, tmp_path: Path
) -> None:
    folder = tmp_path / "counter"
    with umask(0o022):  # what an earlier version left behind
        folder.mkdir(mode=0o755)
        Journal(folder / "journal.sqlite3").close()
        (folder / "journal.sqlite3").chmod(0o644)
    app = build_app(server=live_server.url, data_dir=folder)
    async with running(app, (80, 24)) as pilot:
        # run_test draws no toasts: the notifications the agent would see are read instead.
        await wait_for(pilot, lambda: bool(list(app._notifications)))
        shown = " ".join(notice.message for notice in app._notifications)
    assert "droits corrigés" in shown and "journal.sqlite3" in shown
    modes = _modes(folder)
    assert modes.pop("counter") == 0o700
    assert modes == dict.fromkeys(modes, 0o600)


def test_a_folder_holding_other_files_keeps_its_modes_and_theirs(tmp_path: Path) -> None:
    # issue 19: pointed at a user's own folder, the counter locked it and all its files.
    folder = tmp_path / "mine"
    with umask(0o022):
        folder.mkdir(mode=0o755)
        (folder / "report.odt").write_text("x")
        Journal(folder / "journal.sqlite3").close()
        (folder / "journal.sqlite3").chmod(0o644)
    repaired = secure_data_dir(folder)
    assert repaired == [folder / "journal.sqlite3"]  # its own file only
    assert _modes(folder) == {"mine": 0o755, "report.odt": 0o644, "journal.sqlite3": 0o600}


def test_a_folder_it_creates_is_private(tmp_path: Path) -> None:
    with umask(0):
        assert secure_data_dir(tmp_path / "a" / "counter") == []
    assert stat.S_IMODE((tmp_path / "a" / "counter").stat().st_mode) == 0o700


def test_a_file_is_no_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataDirError, match="c'est un fichier"):
        secure_data_dir(tmp_path / "file")


def _as_another_account(monkeypatch: pytest.MonkeyPatch, closed: Path) -> None:
    """What a non-root agent meets (root crosses every mode): `closed` cannot be crossed."""
    real_stat = os.stat

    def stat_(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).startswith(f"{closed}/"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat_)


@pytest.mark.parametrize("name", ["inner", "not-yet"])
def test_a_folder_behind_a_closed_one_is_refused_not_crashed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    # Outside look, issue 19: Path.exists() raised PermissionError there, and the command
    # ended on « Erreur : accès refusé », exit 1, instead of refusing the configuration.
    (tmp_path / "inner").mkdir()
    _as_another_account(monkeypatch, tmp_path)
    with pytest.raises(DataDirError, match=f"« {tmp_path / name} » : accès refusé"):
        secure_data_dir(tmp_path / name)


def test_an_existing_folder_it_may_not_write_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "counter"
    folder.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root writes anywhere: play the agent's answer from the system
        monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(DataDirError, match="accès refusé"):
        secure_data_dir(folder)
