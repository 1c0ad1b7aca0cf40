"""`relais report …` in-process, against a database of its own (committed data)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from crm_core.cli import app
from crm_core.config import get_settings
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.interactions.enums import Channel
from tests import factories as factory_module
from tests.crm_core.reports.dataset import at, make_world

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
