"""`relais counter` checks its options before starting anything (counter_client/cli.py,
config.py): a clear French refusal and exit 2 (docs/command-line.md)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from counter_client.app import CounterApp
from counter_client.cli import build_app
from crm_core.app.launcher import full_app
from crm_core.cli_exits import BAD_INPUT

app = full_app()

runner = CliRunner()


@pytest.fixture(autouse=True)
def never_started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def run(self: CounterApp) -> None:
        raise AssertionError("the app must not start")

    monkeypatch.setattr(CounterApp, "run", run)
    monkeypatch.setenv("RELAIS_COUNTER_DATA_DIR", str(tmp_path / "counter"))
    for name in ("RELAIS_COUNTER_SERVER_URL", "RELAIS_COUNTER_PRINTER_URL"):
        monkeypatch.delenv(name, raising=False)


def test_a_server_that_is_no_url_and_an_unknown_printer_are_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["counter", "--server", "notaurl", "--printer", "lpt://x"])
    assert result.exit_code == BAD_INPUT
    assert result.stderr == (
        "Configuration refusée : adresse du serveur « notaurl » invalide (attendu : http://"
        " ou https:// puis le nom du serveur, ex. https://relais.mairie.fr); imprimante"
        " « lpt://x » : type inconnu (attendus : tcp://, usb://, serial://, file://).\n")
    assert not (tmp_path / "counter").exists()  # nothing made before the refusal


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--server", "ftp://relais.mairie.fr", "adresse du serveur « ftp://relais.mairie.fr »"),
    ("--server", "http://", "adresse du serveur « http:// » invalide"),
    ("--server", "http://relais:port", "adresse du serveur « http://relais:port » illisible"),
    ("--printer", "tcp://", "imprimante « tcp:// » invalide (attendu : tcp://hôte:9100)"),
    ("--printer", "tcp://imprimante:neuf", "imprimante « tcp://imprimante:neuf » invalide"),
    ("--printer", "usb://epson", "imprimante « usb://epson » invalide (attendu : usb://04b8"),
    ("--printer", "serial://", "imprimante « serial:// » invalide"),
    ("--printer", "serial:///dev/ttyUSB0?baudrate=vite", "imprimante « serial:///dev/"),
    ("--printer", "file://", "imprimante « file:// » invalide"),
    ("--card-reader", "nfc", "--card-reader ou RELAIS_COUNTER_CARD_READER : valeur non"),
])
def test_each_bad_option_is_said_in_french(option: str, value: str, said: str) -> None:
    result = runner.invoke(app, ["counter", option, value])
    assert result.exit_code == BAD_INPUT, result.output
    assert said in result.stderr
    assert "Input should" not in result.stderr and "Traceback" not in result.stderr


def test_a_bad_server_address_from_the_environment_is_refused_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RELAIS_COUNTER_SERVER_URL", "relais.mairie.fr")
    result = runner.invoke(app, ["counter"])
    assert result.exit_code == BAD_INPUT
    assert "adresse du serveur « relais.mairie.fr » invalide" in result.stderr


@pytest.mark.parametrize("printer", [
    "tcp://192.0.2.10:9100", "tcp://imprimante.mairie.local", "file:///dev/usb/lp0",
    "serial:///dev/ttyUSB0?baudrate=19200",
])
def test_good_options_build_the_app(printer: str, tmp_path: Path) -> None:
    counter = build_app(server="https://relais.mairie.fr/", printer=printer,
                        data_dir=tmp_path / "counter")
    try:
        assert counter.settings.server_url == "https://relais.mairie.fr/"
        assert counter.settings.printer_url == printer
    finally:
        counter.client.close()
        counter.journal.close()
        if counter.print_queue is not None:
            counter.print_queue.close()


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("RELAIS_COUNTER_PRINT_RETRY_SECONDS", "-1", "RELAIS_COUNTER_PRINT_RETRY_SECONDS : valeur"),
    ("RELAIS_COUNTER_PRINT_RETRY_SECONDS", "0", "RELAIS_COUNTER_PRINT_RETRY_SECONDS : valeur"),
    ("RELAIS_COUNTER_HEALTH_INTERVAL_SECONDS", "0", "RELAIS_COUNTER_HEALTH_INTERVAL_SECONDS"),
    ("RELAIS_COUNTER_HEALTH_INTERVAL_SECONDS", "nan",
     "RELAIS_COUNTER_HEALTH_INTERVAL_SECONDS : nombre fini attendu"),
    ("RELAIS_COUNTER_SYNC_INTERVAL_SECONDS", "inf", "RELAIS_COUNTER_SYNC_INTERVAL_SECONDS"),
    ("RELAIS_COUNTER_PRINT_MAX_WAIT_MINUTES", "-5", "RELAIS_COUNTER_PRINT_MAX_WAIT_MINUTES"),
    ("RELAIS_COUNTER_PRINT_MAX_WAIT_MINUTES", "abc",
     "RELAIS_COUNTER_PRINT_MAX_WAIT_MINUTES : nombre attendu"),
    ("RELAIS_COUNTER_SEARCH_DELAY_SECONDS", "-0.1", "RELAIS_COUNTER_SEARCH_DELAY_SECONDS"),
    ("RELAIS_COUNTER_THEME", "bogus", "RELAIS_COUNTER_THEME : valeur non reconnue"),
    # Outside look, issue 19: 0.0001 and `1_0` (read as 10) were taken, bounds said « 0.0 ».
    ("RELAIS_COUNTER_SYNC_INTERVAL_SECONDS", "0.0001",
     "RELAIS_COUNTER_SYNC_INTERVAL_SECONDS : valeur entre 0,1 et 3600 secondes attendue"),
    ("RELAIS_COUNTER_SYNC_INTERVAL_SECONDS", "1_0",
     "RELAIS_COUNTER_SYNC_INTERVAL_SECONDS : nombre attendu, écrit 2,5 ou 2.5"),
    ("RELAIS_COUNTER_PRINT_MAX_WAIT_MINUTES", "1e3", "MINUTES : nombre attendu, écrit 2,5"),
    ("RELAIS_COUNTER_PRINT_MAX_WAIT_MINUTES", "2000",
     "RELAIS_COUNTER_PRINT_MAX_WAIT_MINUTES : valeur entre 1 et 1440 minutes attendue"),
    ("RELAIS_COUNTER_SEARCH_DELAY_SECONDS", "-0,1",
     "RELAIS_COUNTER_SEARCH_DELAY_SECONDS : valeur entre 0 et 10 secondes attendue"),
    # Outside look 6: « 3 » with spaces was taken while the refusal said « sans espace ».
    ("RELAIS_COUNTER_SYNC_INTERVAL_SECONDS", " 3 ",
     "RELAIS_COUNTER_SYNC_INTERVAL_SECONDS : nombre attendu, écrit 2,5 ou 2.5 (sans espace"),
    ("RELAIS_COUNTER_PRINT_MAX_WAIT_MINUTES", "3 ", "MINUTES : nombre attendu, écrit 2,5"),
    ("RELAIS_COUNTER_SEARCH_DELAY_SECONDS", "\t1", "SECONDS : nombre attendu, écrit 2,5"),
])
def test_impossible_settings_are_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, said: str
) -> None:
    # issue 19: a zero or nan period left the screen blank; « réglage » named nothing.
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["counter"])
    assert result.exit_code == BAD_INPUT, result.output
    assert said in result.stderr and "réglage" not in result.stderr
    assert not (tmp_path / "counter").exists()


def test_an_empty_data_folder_is_refused_and_the_current_folder_left_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # issue 19: an empty RELAIS_COUNTER_DATA_DIR made the current folder the data folder,
    # chmodded it 0700 and every file in it 0600, and wrote the journal there.
    work = tmp_path / "repo"
    work.mkdir(mode=0o755)
    (work / "notes.txt").write_text("x")
    (work / "notes.txt").chmod(0o644)
    monkeypatch.chdir(work)
    monkeypatch.setenv("RELAIS_COUNTER_DATA_DIR", "")
    result = runner.invoke(app, ["counter"])
    assert result.exit_code == BAD_INPUT
    assert "RELAIS_COUNTER_DATA_DIR est vide" in result.stderr
    assert sorted(path.name for path in work.iterdir()) == ["notes.txt"]
    assert stat.S_IMODE(work.stat().st_mode) == 0o755
    assert stat.S_IMODE((work / "notes.txt").stat().st_mode) == 0o644


@pytest.mark.parametrize(("folder", "said"), [
    ("/etc/passwd", "« /etc/passwd » : c'est un fichier, pas un dossier"),
    ("/proc/x", "« /proc/x » impossible à créer : fichier ou dossier introuvable"),
])
def test_a_data_folder_that_cannot_be_one_is_refused_in_french(
    monkeypatch: pytest.MonkeyPatch, folder: str, said: str
) -> None:
    monkeypatch.setenv("RELAIS_COUNTER_DATA_DIR", folder)
    result = runner.invoke(app, ["counter"])
    assert result.exit_code == BAD_INPUT, result.output
    assert said in result.stderr and "erreur système" not in result.stderr


def test_a_data_folder_behind_a_closed_one_is_a_refused_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Outside look, issue 19: « Erreur : accès refusé », exit 1, naming nothing to change.
    from tests.counter_client.test_private_files import _as_another_account

    folder = str(tmp_path / "closed" / "counter")
    monkeypatch.setenv("RELAIS_COUNTER_DATA_DIR", folder)
    _as_another_account(monkeypatch, tmp_path / "closed")
    result = runner.invoke(app, ["counter"])
    assert result.exit_code == BAD_INPUT, result.output
    assert result.stderr.startswith("Configuration refusée : dossier de données")
    assert "accès refusé" in result.stderr and "(RELAIS_COUNTER_DATA_DIR)" in result.stderr


@pytest.mark.parametrize(("value", "read"), [("2,5", 2.5), ("2.5", 2.5), ("12", 12.0)])
def test_a_timed_setting_is_read_the_french_or_the_english_way(
    monkeypatch: pytest.MonkeyPatch, value: str, read: float
) -> None:
    from counter_client.config import CounterSettings

    monkeypatch.setenv("RELAIS_COUNTER_PRINT_MAX_WAIT_MINUTES", value)
    assert CounterSettings().print_max_wait_minutes == read
