"""After `relais demo`, in a fresh shell with nothing set: the hints agree with each other,
and the operator commands (`report`, `audit`, `residents`) find the demo's database; any
other database is named with RELAIS_DATABASE_URL, and a missing one is never created."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm_core.cli import app
from crm_core.config import city_today, get_settings

runner = CliRunner()


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A new shell: a data directory of its own, no database URL, no secret. The commands
    change the process's environment as a real run would; it is put back after each."""
    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RELAIS_DATABASE_URL", raising=False)
    monkeypatch.delenv("RELAIS_SECRET_KEY", raising=False)
    monkeypatch.setenv("RELAIS_DEMO_MODE", "false")
    fresh = dict(os.environ)
    yield fresh
    os.environ.clear()
    os.environ.update(fresh)
    get_settings.cache_clear()


def _run(fresh: dict[str, str], *args: str) -> tuple[int, str]:
    """`relais ARGS` as typed in the shell `fresh` (the last command's changes undone)."""
    os.environ.clear()
    os.environ.update(fresh)
    get_settings.cache_clear()
    result = runner.invoke(app, list(args))
    # Rich wraps long lines for the terminal: read the text as one line.
    return result.exit_code, " ".join(result.output.split())


def test_the_demo_then_the_operator_commands(shell: dict[str, str], tmp_path: Path) -> None:
    code, printed = _run(shell, "demo", "--seed-only", "--residents", "30")
    assert code == 0, printed
    known = re.search(r"Appel d'un numéro connu : ([0-9 ]+) → fiche de (.+?) essai", printed)
    ring = re.search(r"faire sonner ce poste \(appel de (.+?)\) : uv run relais phone ring"
                     r" (\d+) --demo", printed)
    assert known and ring, printed
    assert ring.group(1) == known.group(2)  # the same resident...
    assert ring.group(2) == known.group(1).replace(" ", "")  # ... and the same number

    month = city_today().strftime("%Y-%m")
    code, printed = _run(shell, "report", "month", month)
    assert code == 0, printed
    assert "Base de démonstration" in printed and "demo.db" in printed
    code, printed = _run(shell, "audit", "verify")
    assert code == 0, printed
    assert "Journal des consultations intègre" in printed
    assert not printed.startswith("0 lignes vérifiées")
    code, printed = _run(shell, "residents", "duplicates")
    assert code == 0, printed
    assert not (tmp_path / "relais.db").exists()

    elsewhere = tmp_path / "ailleurs.db"
    other = {**shell, "RELAIS_DATABASE_URL": f"sqlite:///{elsewhere}",
             "RELAIS_SECRET_KEY": "x" * 40}
    for command in (["audit", "verify"], ["report", "month", month],
                    ["residents", "duplicates"]):
        code, printed = _run(other, *command)
        assert code == 2, printed
        assert f"Aucune base de données à {elsewhere}" in printed
        assert "intègre" not in printed
    assert not elsewhere.exists()
