"""`relais report …` in-process, against a database of its own (committed data)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from crm_core.app.launcher import full_app
from crm_core.channels import Channel
from crm_core.config import get_settings
from crm_core.database.engine import make_engine, make_session_factory
from tests import factories as factory_module
from tests.crm_core.reports.dataset import at, make_world

app = full_app()

runner = CliRunner()


@pytest.fixture
def cli_database(monkeypatch: pytest.MonkeyPatch, migrated_database_url: str) -> str:
    engine = make_engine(migrated_database_url)
    try:
        with make_session_factory(engine)() as db_session:
            factory_module.bind(db_session)
            world = make_world(db_session, factory_module)
            for who in range(7):
                world.contact(who, Channel.PHONE, at(3 + who))
            db_session.commit()
    finally:
        factory_module.bind(None)
        engine.dispose()
    monkeypatch.setenv("RELAIS_DATABASE_URL", migrated_database_url)
    get_settings.cache_clear()
    return migrated_database_url


def test_tables_in_the_terminal(cli_database: str) -> None:
    result = runner.invoke(app, ["report", "channels", "--from", "2026-10-01",
                                 "--to", "2026-10-31", "--site", "nord"])
    assert result.exit_code == 0, result.output
    assert "Contacts et demandes ouvertes par canal" in result.output
    assert "Mairie Nord" in result.output
    assert "Téléphone" in result.output and "7" in result.output


def test_month_in_every_format(cli_database: str, tmp_path: Path) -> None:
    for fmt in ("html", "xlsx", "png", "csv", "json"):
        target = tmp_path / f"octobre.{fmt}"
        result = runner.invoke(app, ["report", "month", "2026-10", "--format", fmt,
                                     "--output", str(target)])
        assert result.exit_code == 0, result.output
        assert "Rapport écrit" in result.output
    assert (tmp_path / "octobre.html").read_text().startswith("<!DOCTYPE html>")
    Image.open(io.BytesIO((tmp_path / "octobre.png").read_bytes())).load()
    assert load_workbook(tmp_path / "octobre.xlsx").sheetnames[0] == "Rapport"


def test_bad_input_is_a_readable_message(cli_database: str) -> None:
    cases = {
        ("report", "channels", "--from", "2026-10-31", "--to", "2026-10-01"): "Période inversée",
        ("report", "channels", "--from", "31/10/2026", "--to", "2026-10-01"): "Date illisible",
        ("report", "waiting", "--from", "2026-10-01", "--to", "2026-10-31", "--site", "x"):
            "Site d'accueil inconnu",
        ("report", "month", "octobre"): "Mois illisible",
        ("report", "month", "9999-12"): "Période hors limites",
        ("report", "month", "2026-10", "-o", "/nonexistent/x.html"): "n'existe pas",
        ("report", "month", "2026-10", "-o", "."): "c'est un dossier",
        ("report", "calls", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "doc"):
            "Format inconnu",
    }
    for arguments, words in cases.items():
        result = runner.invoke(app, list(arguments))
        assert result.exit_code in (1, 2), result.output
        assert words in result.output, (arguments, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_refresh_and_rebuild(cli_database: str) -> None:
    refreshed = runner.invoke(app, ["report", "refresh"])
    assert refreshed.exit_code == 0, refreshed.output
    assert "7 écriture(s) intégrée(s)" in refreshed.output
    rebuilt = runner.invoke(app, ["report", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Cumuls recalculés" in rebuilt.output
    again = runner.invoke(app, ["report", "channels", "--from", "2026-10-01", "--to",
                                "2026-10-31", "--format", "json"])
    assert '"value":7' in again.output


def test_output_is_a_file_in_every_format_never_a_directory(
    cli_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "ici"  # the database file sits in tmp_path
    here.mkdir()
    monkeypatch.chdir(here)
    month = ["report", "month", "2026-10"]
    table = runner.invoke(app, [*month, "-o", "octobre.txt"])  # table: written, not ignored
    assert table.exit_code == 0, table.output
    assert "Rapport écrit : octobre.txt" in table.output
    assert "Contacts et demandes ouvertes par canal" in (here / "octobre.txt").read_text()
    for directory in ("rapports/", "rapports", "."):
        (here / "rapports").mkdir(exist_ok=directory != "rapports/")
        result = runner.invoke(app, [*month, "--format", "csv", "-o", directory])
        assert result.exit_code == 2, result.output
        assert "c'est un dossier : donnez un nom de fichier" in result.output
        assert "rapport-month-2026-10-01-2026-10-31.csv" in result.output
    (here / "rapports").rmdir()
    missing = runner.invoke(app, [*month, "--format", "csv", "-o", "rapports/"])  # not there
    assert missing.exit_code == 2, missing.output
    # The true reason: not "c'est un dossier" about a directory that does not exist.
    assert "c'est un dossier" not in missing.output
    assert ("un chemin qui finit par « / » désigne un dossier, et rapports n'existe pas :"
            " donnez un nom de fichier, par exemple rapports/rapport-month-") in missing.stderr
    assert sorted(p.name for p in here.iterdir()) == ["octobre.txt"]


def test_exit_codes_follow_the_convention(cli_database: str) -> None:
    period = ["--from", "2026-10-01", "--to", "2026-10-31"]
    codes = {
        ("report", "channels", *period): 0,
        ("report", "channels", "--from", "2026-10-31", "--to", "2026-10-01"): 2,
        ("report", "waiting", *period, "--site", "x"): 2,  # a name that matches nothing
        ("report", "channels", *period, "--bogus"): 2,
        ("report", "month"): 2,
    }
    for arguments, code in codes.items():
        result = runner.invoke(app, list(arguments))
        assert result.exit_code == code, (arguments, result.output)


def test_refusals_go_to_stderr_never_into_the_report(cli_database: str) -> None:
    # `relais report … > x.csv` put « Refusé : … » into the file.
    for arguments in (["report", "month", "2026-13", "--format", "csv"],
                      ["report", "channels", "--from", "2026-10-01", "--to", "nope"],
                      ["report", "waiting", "--from", "2026-10-01", "--to", "2026-10-31",
                       "--site", "x", "--format", "csv"],
                      ["report", "month", "2026-10", "--format", "doc"]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2, result.output
        assert result.stdout == "" and result.stderr.strip(), arguments


def test_a_full_disk_is_a_failure_while_working_exit_1(cli_database: str) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    written = runner.invoke(app, ["report", "month", "2026-10", "--format", "csv",
                                  "-o", "/dev/full"])
    assert written.exit_code == 1, written.output  # it was 2, kept for bad input
    assert "Fichier impossible à écrire : /dev/full (disque plein)" in written.stderr


def test_a_full_standard_output_is_said_in_french_exit_1(cli_database: str) -> None:
    # A real process: the error comes from writing to a real file descriptor.
    import os
    import subprocess
    import sys

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "crm_core.app.launcher", "report", "month", "2026-10",
             "--format", "csv"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
            env={**os.environ, "RELAIS_DATABASE_URL": cli_database}, check=False)
    assert done.returncode == 1, done.stderr
    assert "Erreur : disque plein (sortie de la commande)." in done.stderr
    assert "Traceback" not in done.stderr


def test_the_current_month_is_said_partial(cli_database: str) -> None:
    """Fourth outside look at issue 21: the figures of a month not over, said as final. The
    clock is the reports' (1 November 2026, 10:00 in Paris)."""
    current = runner.invoke(app, ["report", "month", "2026-11"])
    assert current.exit_code == 0, current.output
    said = " ".join(current.output.split())
    assert "Mois en cours : chiffres partiels jusqu'au 01/11/2026" in said
    # before any figure (a fifth outside look: it came after every table)
    assert said.index("chiffres partiels") < said.index("┏")
    as_csv = runner.invoke(app, ["report", "month", "2026-11", "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    lines = as_csv.output.splitlines()
    assert "chiffres partiels" in lines[2], lines[:4]
    over = runner.invoke(app, ["report", "month", "2026-10"])
    assert over.exit_code == 0 and "partiels" not in over.output
