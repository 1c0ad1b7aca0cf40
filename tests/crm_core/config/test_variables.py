"""A `RELAIS_*` variable nothing reads stops the server and every command (a typo once
left a default in force without a word), with the closest known name; every variable the
test command, the CI and the tools set is declared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm_core.app.launcher import apps_only, full_app
from crm_core.app.main import create_app
from crm_core.config import Settings
from crm_core.config.variables import UnknownVariables, check_variables, known_variables

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def test_a_mistyped_variable_stops_a_command_with_the_closest_name(
    monkeypatch: pytest.MonkeyPatch, fresh_database_url: str,
) -> None:
    monkeypatch.setenv("RELAIS_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("RELAIS_TOKEN_TTL_MINUTE", "30")
    result = runner.invoke(full_app(), ["db", "upgrade"])
    assert result.exit_code == 2, result.output
    assert ("Variable inconnue : RELAIS_TOKEN_TTL_MINUTE — vouliez-vous dire "
            "RELAIS_TOKEN_TTL_MINUTES ?") in result.stderr
    assert "Traceback" not in result.output


def test_a_workstation_app_checks_its_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_COUNTER_PRINTER_ULR", "tcp://127.0.0.1:9100")
    result = runner.invoke(apps_only(), ["counter"])
    assert result.exit_code == 2, result.output
    assert "vouliez-vous dire RELAIS_COUNTER_PRINTER_URL ?" in result.stderr


def test_the_server_refuses_to_start_with_an_unknown_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RELAIS_DEMO_MODE", "true")
    settings = Settings()
    monkeypatch.setenv("RELAIS_SIGN_IN_FAILURES_PER_USR", "3")
    with pytest.raises(UnknownVariables, match="vouliez-vous dire "
                       "RELAIS_SIGN_IN_FAILURES_PER_USER"):
        create_app(settings)


def test_an_unknown_name_in_the_env_file_is_refused_too(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("RELAIS_CITY_NAME=Rennes\nRELAIS_WEBHOOK_SOURCE={}\n", encoding="utf-8")
    with pytest.raises(UnknownVariables) as refused:
        check_variables({}, dotenv=dotenv)
    assert str(refused.value) == ("Variable inconnue : RELAIS_WEBHOOK_SOURCE — vouliez-vous "
                                  "dire RELAIS_WEBHOOK_SOURCES ?")


def test_every_section_plugin_and_app_is_known() -> None:
    known = known_variables()
    assert {"RELAIS_SECRET_KEY", "RELAIS_SIGN_IN_FAILURES_PER_USER",
            "RELAIS_TELEPHONY_PBX_SECRETS", "RELAIS_WEBHOOK_SOURCES",
            "RELAIS_COUNTER_SERVER_URL", "RELAIS_PHONE_EXTENSION"} <= known
    check_variables({name: "" for name in known}, dotenv=Path("/nonexistent"))


def test_every_variable_the_test_command_and_the_ci_set_is_declared() -> None:
    """Adding one to tests/run, tests/conftest.py or .ci/ without declaring it (a settings
    field, or `crm_core.config.variables.OTHER_VARIABLES`) fails here, not on someone's machine."""
    sources = [ROOT / "tests" / "run", ROOT / "tests" / "conftest.py",
               *sorted(path for path in (ROOT / ".ci").rglob("*") if path.is_file())]
    named = {name for source in sources
             for name in re.findall(r"RELAIS_[A-Z0-9_]*[A-Z0-9]", source.read_text("utf-8"))}
    assert named, "no RELAIS_ variable found: the sources moved?"
    assert sorted(named - known_variables()) == []


@pytest.mark.parametrize("line", ["RELAIS_CITY_NAME Rennes", "RELAIS_CITY_NAME='Rennes",
                                  # Third outside look: a bare word was kept silently.
                                  "Rennes", "RELAIS_TIMEZONE", "export Rennes"])
def test_an_unreadable_env_line_stops_the_start_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    line: str,
) -> None:
    """Outside look at issue 21: python-dotenv warned « could not parse statement starting
    at line 2 » in English, and the setting kept its default. Server, commands and apps."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"# ville\n{line}\nRELAIS_DEMO_MODE=true\n",
                                   encoding="utf-8")
    with pytest.raises(UnknownVariables, match=r"^ligne 2 du fichier \.env illisible"):
        create_app()
    for app, args in ((full_app(), ["db", "upgrade"]), (apps_only(), ["counter"])):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "ligne 2 du fichier .env illisible" in result.stderr
        assert "Rennes" not in result.stderr  # the line may hold a secret
    assert not any("could not parse" in record.getMessage() for record in caplog.records)


def test_a_non_utf8_env_names_its_first_line_that_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_bytes(
        "# été\nRELAIS_DEMO_MODE=true\nRELAIS_CITY_NAME=Saint-Étienne\n".encode()
        + "RELAIS_CITY_NAME=Besançon\n".encode("latin-1"))
    result = runner.invoke(full_app(), ["db", "upgrade"])
    assert result.exit_code == 2, result.output
    assert "la ligne 4 du fichier .env n'est pas en UTF-8" in result.stderr
    assert "Besan" not in result.stderr
