"""The `relais` command line, run in-process against a database of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner

from crm_core.agents.models import Agent
from crm_core.app.launcher import full_app
from crm_core.config import get_settings
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.recognition.models import SearchKey
from crm_core.residents.models import Resident
from crm_core.security.models import SecurityEvent

app = full_app()

runner = CliRunner()


@pytest.fixture
def cli_database(monkeypatch: pytest.MonkeyPatch, fresh_database_url: str) -> str:
    monkeypatch.setenv("RELAIS_DATABASE_URL", fresh_database_url)
    get_settings.cache_clear()
    return fresh_database_url


def test_db_upgrade_agent_add_and_seed(cli_database: str) -> None:
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "Base à jour" in upgraded.output
    added = runner.invoke(
        app, ["agent", "add", "m.leroy", "--role", "counter", "--name", "Martine Leroy",
              "--password", "s3cret!-long"],
    )
    assert added.exit_code == 0, added.output
    again = runner.invoke(
        app, ["agent", "add", "m.leroy", "--role", "counter", "--password", "s3cret!-long"]
    )
    assert again.exit_code == 1
    assert "existe déjà" in again.output
    seeded = runner.invoke(app, ["seed", "--residents", "50"])
    assert seeded.exit_code == 0, seeded.output
    engine = make_engine(cli_database)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Resident)) == 50
        indexed = session.scalar(select(func.count(func.distinct(SearchKey.resident_id))))
        assert indexed == 50  # seeded residents are found by the fuzzy search
        assert session.scalar(select(Agent.display_name).where(Agent.username == "m.leroy")) == (
            "Martine Leroy"
        )
        # The console is a trusted path (its user holds the server): active at once, logged.
        assert session.scalar(select(Agent.active).where(Agent.username == "m.leroy"))
        # Its operator set the password: the agent replaces it at the first sign-in.
        assert session.scalar(select(Agent.must_change_password).where(
            Agent.username == "m.leroy"))
        assert session.scalars(select(SecurityEvent.detail).where(
            SecurityEvent.subject == "m.leroy")).all() == [
            "Compte « Martine Leroy » créé : rôle agent d'accueil, site tous les sites "
            "(par console)"]
    engine.dispose()


def test_refuses_to_run_without_a_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("RELAIS_SECRET_KEY", raising=False)
    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "RELAIS_SECRET_KEY" in result.output


def test_demo_prepares_data_and_prints_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RELAIS_DATABASE_URL", raising=False)
    monkeypatch.delenv("RELAIS_SECRET_KEY", raising=False)
    result = runner.invoke(app, ["demo", "--seed-only", "--residents", "30"])
    assert result.exit_code == 0, result.output
    for expected in ("accueil", "telephone", "superviseur", "admin", "demo", "/docs"):
        assert expected in result.output
    assert (tmp_path / "demo.db").exists()
    again = runner.invoke(app, ["demo", "--seed-only"])
    assert "déjà initialisée" in again.output


def test_demo_on_a_busy_port_says_so_in_french(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["demo", "--port", str(port)])
    assert result.exit_code == 1, result.output
    assert f"Le port {port} est déjà utilisé" in result.output
    assert "Errno" not in result.output and not (tmp_path / "demo.db").exists()


@pytest.mark.parametrize("command", ["demo", "serve"])
@pytest.mark.parametrize(("host", "words"), [
    ("999.1.1.1", "Adresse d'écoute invalide"),
    # A well-formed address of no interface here (TEST-NET-3, never assigned).
    ("203.0.113.77", "Adresse d'écoute injoignable"),
])
def test_a_bad_host_is_named_not_taken_for_a_busy_port(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str, host: str, words: str
) -> None:
    """Outside look, issue 19: `--host 999.1.1.1` said the port was busy and exited 1."""
    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, [command, "--host", host, "--port", "8791"])
    assert result.exit_code == 2, result.output
    assert words in result.stderr and f"« {host} »" in result.stderr
    assert "déjà utilisé" not in result.output and not (tmp_path / "demo.db").exists()


def test_serve_on_a_busy_port_says_so_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1, result.output
    assert f"relais serve --port {port + 1}" in result.output


def test_the_port_suggested_is_free_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue 20, sixth outside test: with 8451 and 8452 taken, « --port 8452 » was offered."""
    import socket

    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path))
    with socket.socket() as busy, socket.socket() as next_one:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        try:
            next_one.bind(("127.0.0.1", port + 1))
        except OSError:
            pytest.skip("the next port is already someone else's")
        next_one.listen()
        result = runner.invoke(app, ["demo", "--port", str(port)])
    assert result.exit_code == 1, result.output
    assert f"--port {port + 1}" not in result.output
    assert "relais demo --port" in result.output


def test_a_host_is_echoed_without_its_escape_sequences(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Issue 19, sixth outside look: the refusal set the terminal's title and colours."""
    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path))
    host = "\x1b]0;pwned\x07\x1b[31mX\u202e" + "h" * 300
    result = runner.invoke(app, ["serve", "--host", host, "--port", "8791"])
    assert result.exit_code == 2, result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "<U+001B>]0;pwned<U+0007>" in result.output and "h" * 100 not in result.output


READ_COMMANDS = [
    ["audit", "verify"], ["audit", "purge", "--dry-run"], ["retention", "run", "--dry-run"],
    ["report", "month", "2026-10"], ["report", "refresh"], ["residents", "duplicates"],
    ["integrations", "purge"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_commands_on_existing_data_never_create_a_database(
    monkeypatch: pytest.MonkeyPatch, fresh_database_url: str, command: list[str]
) -> None:
    # On SQLite the file does not exist; on PostgreSQL the database is there, but empty.
    monkeypatch.setenv("RELAIS_DATABASE_URL", fresh_database_url)
    get_settings.cache_clear()
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    assert "Aucune base" in result.output
    assert "intègre" not in result.output
    engine = make_engine(fresh_database_url)
    try:
        if engine.dialect.name == "sqlite":
            assert not Path(engine.url.database or "").exists()
        else:
            with engine.connect() as connection:
                assert not inspect(connection).get_table_names()
    finally:
        engine.dispose()


def test_with_nothing_set_and_no_database_nothing_is_created(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RELAIS_DATABASE_URL", "")
    get_settings.cache_clear()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 2, result.output
    assert f"Aucune base de données à {tmp_path / 'relais.db'}" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_worker_never_creates_a_sqlite_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "absente.db"
    monkeypatch.setenv("RELAIS_DATABASE_URL", f"sqlite:///{missing}")
    get_settings.cache_clear()
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 2, result.output
    assert "Aucune base de données à" in result.output
    assert not missing.exists()


@pytest.mark.parametrize(("trusted", "believed"), [("", False), ("10.0.0.5", True)])
def test_serve_believes_forwarded_headers_only_from_named_proxies(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, trusted: str, believed: bool
) -> None:
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("RELAIS_TRUSTED_PROXIES", trusted)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["serve", "--port", "8799"])
    assert result.exit_code == 0, result.output
    assert calls[0]["proxy_headers"] is believed
    assert calls[0]["forwarded_allow_ips"] == (trusted or [])


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused_in_french_not_with_a_traceback(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    # It crashed with "TypeError: Invalid argument(s) 'max_overflow'" from create_engine.
    monkeypatch.setenv("RELAIS_DATABASE_URL", url)
    get_settings.cache_clear()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 2, result.output
    assert "base en mémoire" in result.stderr and result.stdout == ""
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_piped_password_is_read_without_pythons_warning(cli_database: str) -> None:
    """Outside test after issue 20: `echo … | relais agent add` printed GetPassWarning."""
    import warnings

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        added = runner.invoke(app, ["agent", "add", "p.pipe", "--role", "counter"],
                              input="un-Mot-de-passe-2026\n")
    assert added.exit_code == 0, added.output
    assert "GetPassWarning" not in added.output and not caught
    engine = make_engine(cli_database)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(Agent.username).where(Agent.username == "p.pipe"))
    engine.dispose()


@pytest.mark.parametrize("command", ["demo", "serve"])
@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_a_port_out_of_range_is_a_french_usage_error(command: str, port: str) -> None:
    refused = runner.invoke(app, [command, "--port", port])
    assert refused.exit_code == 2, refused.output
    assert "--port" in refused.output and "Traceback" not in refused.output
    assert "valeur trop" in refused.output


@pytest.mark.parametrize("username", ["c 4", "c\u200b5", "x", "é.dupont", "a\n"])
def test_agent_add_applies_the_apis_username_rule(cli_database: str, username: str) -> None:
    """Issue 20, fifth outside test: the console created accounts the API refuses."""
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    added = runner.invoke(app, ["agent", "add", username, "--role", "counter"],
                          input="un-Mot-de-passe-2026\n")
    assert added.exit_code == 2, added.output
    assert "Identifiant d'agent : format invalide" in added.output
    engine = make_engine(cli_database)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Agent)) == 0
    engine.dispose()


def test_agent_add_checks_the_name_before_the_settings(
        cli_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fifth outside look: a bad username was refused before the settings were read, a
    bad --name only after them (« RELAIS_SECRET_KEY doit être… » for a typing slip)."""
    monkeypatch.delenv("RELAIS_SECRET_KEY", raising=False)
    monkeypatch.setenv("RELAIS_DEMO_MODE", "false")
    added = runner.invoke(app, ["agent", "add", "lea", "--role", "phone", "--name", "1234"],
                          input="un-Mot-de-passe-2026\n")
    assert added.exit_code == 2, added.output
    assert "Nom affiché" in added.output and "RELAIS_SECRET_KEY" not in added.output


def test_agent_add_asks_for_a_name_when_the_username_is_none(cli_database: str) -> None:
    """Issue 20, sixth outside test: « tel1 » without --name blamed a name never typed."""
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    added = runner.invoke(app, ["agent", "add", "tel1", "--role", "phone"],
                          input="un-Mot-de-passe-2026\n")
    assert added.exit_code == 2, added.output
    assert "Nom affiché requis" in added.output and "--name" in added.output
    named = runner.invoke(app, ["agent", "add", "tel1", "--role", "phone", "--name",
                                "Léa Roux"], input="un-Mot-de-passe-2026\n")
    assert named.exit_code == 0, named.output


def test_agent_add_speaks_french_and_warns_of_a_password_in_the_command(
    cli_database: str,
) -> None:
    import subprocess
    import sys

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    # A process of its own: pytest's log capture would hide the line the console printed.
    added = subprocess.run(
        [sys.executable, "-c", "from crm_core.app.launcher import main; main()", "agent", "add",
         "c.ok", "--role", "counter", "--password", "un-Mot-de-passe-2026"],
        capture_output=True, text=True, timeout=120, check=False)
    assert added.returncode == 0, added.stderr
    assert "security event" not in added.stdout + added.stderr
    assert "reste dans l'historique du shell" in added.stderr
    piped = runner.invoke(app, ["agent", "add", "c.ok-bis", "--role", "counter"],
                          input="un-Mot-de-passe-2026\n")
    assert piped.exit_code == 0 and "historique" not in piped.output, piped.output


@pytest.mark.parametrize(("env", "named"), [
    ({}, False), ({"RELAIS_API_DOCS": "true"}, True), ({"RELAIS_DEMO_MODE": "true"}, True),
])
def test_the_serve_banner_names_docs_only_when_served(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: bool
) -> None:
    """Issue 20, fifth outside test: the banner named /docs, a 404 outside demo mode."""
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    monkeypatch.setenv("RELAIS_DATABASE_URL", "sqlite:///:memory:")
    monkeypatch.setenv("RELAIS_DEMO_MODE", "false")
    monkeypatch.delenv("RELAIS_API_DOCS", raising=False)  # the tests' default serves them
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    started = runner.invoke(app, ["serve", "--port", "9"])
    get_settings.cache_clear()
    assert started.exit_code == 0, started.output
    assert "Relais écoute sur http://127.0.0.1:9 (API : /api/v1" in started.output
    assert ("doc : /docs" in started.output) is named


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve", "--port", "8765"],
                                     ["agent", "add", "m.leroy", "--role", "counter",
                                      "--name", "Martine Leroy", "--password", "s3cret!-long"],
                                     ["worker", "--once"], ["integrations", "deliver", "--once"],
                                     ["integrations", "purge"], ["integrations", "poll"]])
@pytest.mark.parametrize("where", ["nohost.invalid", "closed-port"])
def test_an_unreachable_postgresql_is_one_french_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, command: list[str], where: str,
) -> None:
    """Third outside look at issue 21: a ~500-line English traceback, password included;
    the fourth: `relais worker --once` said « base de données injoignable
    (OperationalError) » and exited 1."""
    host = "nohost.invalid" if where == "nohost.invalid" else f"127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("RELAIS_DATABASE_URL", f"postgresql://u:tres-secret@{host}/db")
    get_settings.cache_clear()
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    shown = host.partition(":")[0]
    assert f"Base de données injoignable ({shown})" in result.output
    assert "Vérifiez RELAIS_DATABASE_URL" in result.output
    assert "tres-secret" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


@pytest.mark.parametrize(("driver_said", "reason"), [
    ('password authentication failed for user "u"', "mot de passe refusé"),
    ('database "db" does not exist', "cette base n'existe pas"),
    ('failed to resolve host "nohost.invalid"', "ce serveur est introuvable"),
    ("connection refused", "le serveur ne répond pas"),
])
def test_a_refused_connection_is_told_why_in_french(driver_said: str, reason: str) -> None:
    from crm_core.cli_exits import database_reason

    assert reason in database_reason(Exception(driver_said))


def test_an_explicit_database_in_a_missing_folder_is_refused_not_created(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """Third outside look at issue 21: `db upgrade` created /nonexist/ silently."""
    missing = tmp_path / "nonexist"
    monkeypatch.setenv("RELAIS_DATABASE_URL", f"sqlite:///{missing}/x.db")
    get_settings.cache_clear()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2, result.output
    assert f"Dossier introuvable pour la base de données : {missing}" in result.output
    assert not missing.exists()


def test_the_default_data_directory_is_still_created_on_first_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    data_dir = tmp_path / "donnees"
    monkeypatch.delenv("RELAIS_DATABASE_URL", raising=False)
    monkeypatch.setenv("RELAIS_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (data_dir / "relais.db").is_file()
