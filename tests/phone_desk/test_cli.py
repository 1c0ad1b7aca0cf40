"""`relais phone` checks its settings and data folder before starting anything
(phone_desk/cli.py, config.py; issue 19): a French refusal naming the variable, exit 2."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm_core.app.launcher import full_app
from crm_core.cli_exits import BAD_INPUT
from phone_desk.app import PhoneDeskApp

app = full_app()

runner = CliRunner()


@pytest.fixture(autouse=True)
def never_started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def run(self: PhoneDeskApp) -> None:
        raise AssertionError("the desk must not start")

    monkeypatch.setattr(PhoneDeskApp, "run", run)
    monkeypatch.setenv("RELAIS_PHONE_DATA_DIR", str(tmp_path / "phone"))
    monkeypatch.delenv("RELAIS_PHONE_SERVER_URL", raising=False)


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("RELAIS_PHONE_SYNC_INTERVAL_SECONDS", "0", "RELAIS_PHONE_SYNC_INTERVAL_SECONDS : valeur"),
    ("RELAIS_PHONE_SYNC_INTERVAL_SECONDS", "nan", "RELAIS_PHONE_SYNC_INTERVAL_SECONDS : nombre"),
    ("RELAIS_PHONE_SEARCH_DELAY_SECONDS", "-1", "RELAIS_PHONE_SEARCH_DELAY_SECONDS : valeur"),
    ("RELAIS_PHONE_SERVER_URL", "notaurl", "adresse du serveur « notaurl » invalide"),
    ("RELAIS_PHONE_SYNC_INTERVAL_SECONDS", "1_0", "RELAIS_PHONE_SYNC_INTERVAL_SECONDS : nombre"),
    ("RELAIS_PHONE_SYNC_INTERVAL_SECONDS", "0.0001", "entre 0,1 et 3600 secondes"),
    # Outside look 6: « 3 » with spaces was taken while the refusal said « sans espace ».
    ("RELAIS_PHONE_SYNC_INTERVAL_SECONDS", " 3 ", "SECONDS : nombre attendu, écrit 2,5"),
    ("RELAIS_PHONE_SEARCH_DELAY_SECONDS", "0.5 ", "(sans espace, « _ » ni exposant)"),
    ("RELAIS_PHONE_DATA_DIR", "", "RELAIS_PHONE_DATA_DIR est vide"),
    ("RELAIS_PHONE_DATA_DIR", "/etc/passwd", "« /etc/passwd » : c'est un fichier"),
])
def test_impossible_settings_are_refused_naming_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["phone"])
    assert result.exit_code == BAD_INPUT, result.output
    assert said in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "phone").exists()


@pytest.mark.parametrize(("given", "said"), [
    (["--extension", "x y"], "des chiffres seulement (par exemple 201) (--extension)"),
    (["--extension", "1" * 40], "trop long"),
])
def test_an_extension_that_is_none_is_refused_at_start(
    tmp_path: Path, given: list[str], said: str
) -> None:
    """A fifth outside look: « x y » started the desk, which then told the agent to give
    the extension they had given."""
    result = runner.invoke(app, ["phone", *given])
    assert result.exit_code == BAD_INPUT, result.output
    assert said in result.stderr and "Traceback" not in result.output


def test_an_extension_variable_that_is_none_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RELAIS_PHONE_EXTENSION", "poste")
    result = runner.invoke(app, ["phone"])
    assert result.exit_code == BAD_INPUT, result.output
    assert "(RELAIS_PHONE_EXTENSION)" in result.stderr


def test_an_empty_data_folder_leaves_the_current_folder_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    work = tmp_path / "repo"
    work.mkdir(mode=0o755)
    (work / "notes.txt").write_text("x")
    monkeypatch.chdir(work)
    monkeypatch.setenv("RELAIS_PHONE_DATA_DIR", "")
    assert runner.invoke(app, ["phone"]).exit_code == BAD_INPUT
    assert sorted(path.name for path in work.iterdir()) == ["notes.txt"]
    assert stat.S_IMODE(work.stat().st_mode) == 0o755


def test_a_data_folder_behind_a_closed_one_is_a_refused_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Outside look, issue 19: « Erreur : accès refusé », exit 1, naming nothing to change.
    from tests.counter_client.test_private_files import _as_another_account

    monkeypatch.setenv("RELAIS_PHONE_DATA_DIR", str(tmp_path / "closed" / "phone"))
    _as_another_account(monkeypatch, tmp_path / "closed")
    result = runner.invoke(app, ["phone"])
    assert result.exit_code == BAD_INPUT, result.output
    assert result.stderr.startswith("Configuration refusée : dossier de données")
    assert "accès refusé" in result.stderr and "(RELAIS_PHONE_DATA_DIR)" in result.stderr
