"""After `relais demo`, in a fresh shell with nothing set: the hints agree with each other,
and the operator commands (`report`, `audit`, `residents`) find the demo's database; any
other database is named with RELAIS_DATABASE_URL, and a missing one is never created."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from crm_core.app.launcher import full_app
from crm_core.config import get_settings
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.interactions.models import Interaction
from crm_core.privacy.models import AccessLog, AccessLogSeal
from crm_core.residents.models import Resident
from tests.crm_core.reminders.conftest import Gateway, Mailbox, sms_gateway, smtp_server
from tests.support.clock import city_day, python_command
from tests.support.live_server import free_port

app = full_app()

__all__ = ["sms_gateway", "smtp_server"]  # the real peers, as fixtures here too

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
    known = re.search(r"Appel d'un numéro connu : (\+[0-9 ]+) → fiche de (.+?) essai", printed)
    ring = re.search(r"faire sonner ce poste \(appel de (.+?)\) : uv run relais phone ring"
                     r" (\+\d+) --demo", printed)
    assert known and ring, printed
    assert ring.group(1) == known.group(2)  # the same resident...
    assert ring.group(2) == known.group(1).replace(" ", "")  # ... and the same number

    month = city_day().strftime("%Y-%m")
    code, printed = _run(shell, "report", "month", month)
    assert code == 0, printed
    assert "Base de démonstration" in printed and "demo.db" in printed
    code, printed = _run(shell, "audit", "verify")
    assert code == 0, printed
    assert "Journal des consultations intègre" in printed
    assert not printed.startswith("0 lignes vérifiées")
    code, printed = _run(shell, "residents", "duplicates")
    assert code == 0, printed
    # a pair to show a newcomer (a fifth outside look: the demo had none), dates in French
    assert "Doublons probables (1)" in printed and "probable" in printed
    assert re.search(r"\d\d/\d\d/\d{4} · ", printed), printed
    # an agent added right after the demo joins the demo (it asked for a secret key)
    code, printed = _run(shell, "agent", "add", "testeur", "--name", "Jean Test", "--role",
                         "counter", "--site", "hdv", "--password", "un-mot-de-passe-assez-long")
    assert code == 0, printed
    assert "Base de démonstration" in printed and "Agent « testeur » créé" in printed
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


def _relais(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`relais ARGS` in a process of its own: what it loads is only what it imports, as
    in a real shell (the test process has loaded every model long ago)."""
    return subprocess.run(python_command("-m", "crm_core.app.launcher", *args), env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _read_through_the_server(env: dict[str, str], database: Path, log: Path) -> None:
    """A short day at the counter: a real `relais serve` with its sealer on, an agent
    reading three residents' files, until the server has sealed what it wrote."""
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            python_command("-m", "crm_core.app.launcher", "serve", "--port", str(port)),
            env={**env, "RELAIS_DATABASE_URL": f"sqlite:///{database}",
                 "RELAIS_DEMO_MODE": "true", "RELAIS_AUDIT_SEAL_SECONDS": "0.2"},
            stdout=output, stderr=output)
    engine = make_engine(f"sqlite:///{database}")
    try:
        with make_session_factory(engine)() as db_session:
            residents = list(db_session.scalars(select(Resident.id).limit(3)))
            logged = db_session.scalar(select(func.count()).select_from(AccessLog)) or 0
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/health", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        token = httpx.post(f"{base}/auth/token", timeout=10,
                           data={"username": "accueil", "password": "demo"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        for resident_id in residents:
            httpx.get(f"{base}/residents/{resident_id}/summary", headers=headers,
                      timeout=10).raise_for_status()
        while True:  # the sealer's pace is its own: wait for it, within a bound
            with make_session_factory(engine)() as db_session:
                sealed = db_session.scalar(select(func.count()).select_from(AccessLogSeal))
            if (sealed or 0) >= logged + len(residents):
                break
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        engine.dispose()


def test_the_operators_day_after_the_demo(
    shell: dict[str, str], tmp_path: Path, smtp_server: Mailbox, sms_gateway: Gateway
) -> None:
    code, printed = _run(shell, "demo", "--seed-only", "--residents", "120")
    assert code == 0, printed
    database = tmp_path / "demo.db"
    _read_through_the_server(shell, database, tmp_path / "serve.log")

    verified = _relais(shell, "audit", "verify")  # nothing set: the demo's database
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Journal des consultations intègre" in verified.stdout
    assert "anomalie" not in verified.stdout

    # The green waste collection in three days is announced the day before it.
    announced = (city_day() + timedelta(days=2)).isoformat()
    env = {**shell, "RELAIS_SMTP_URL": smtp_server.url, "RELAIS_SMS_GATEWAY_URL":
           sms_gateway.url}
    first = _relais(env, "reminders", "send", "--date", announced)
    assert first.returncode == 0, first.stdout + first.stderr
    sent = int(first.stdout.split(" rappel(s) envoyé(s)")[0].split()[-1])
    assert sent > 0 and len(smtp_server.messages) == sent, first.stdout
    assert len({m["To"] for m in smtp_server.messages}) == sent  # each resident once
    second = _relais(env, "reminders", "send", "--date", announced)
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.startswith("0 rappel(s) envoyé(s)"), second.stdout
    assert len(smtp_server.messages) == sent  # nothing sent twice
    engine = make_engine(f"sqlite:///{database}")
    with make_session_factory(engine)() as db_session:
        on_timelines = db_session.scalar(select(func.count()).select_from(Interaction).where(
            Interaction.note.startswith("Rappel envoyé")))
    engine.dispose()
    assert on_timelines == sent


def test_every_operator_command_says_in_french_what_is_wrong(
    shell: dict[str, str], tmp_path: Path
) -> None:
    commands = (["audit", "verify"], ["report", "month", "2026-10"],
                ["residents", "duplicates"], ["reminders", "send"],
                ["retention", "run", "--dry-run"])
    for command in commands:  # no database at all, no secret: the database is the news
        code, printed = _run(shell, *command)
        assert code == 2, (command, printed)
        assert f"Aucune base de données à {tmp_path / 'relais.db'}" in printed, printed
    empty = tmp_path / "vide.db"
    empty.touch()
    secret = {"RELAIS_SECRET_KEY": "x" * 40}
    for command in commands[:2]:
        code, printed = _run({**shell, **secret, "RELAIS_DATABASE_URL": f"sqlite:///{empty}"},
                             *command)
        assert code == 2 and "(fichier vide)" in printed, printed
    assert empty.stat().st_size == 0 and not Path(f"{empty}-wal").exists()  # left as found
    code, printed = _run({**shell, **secret, "RELAIS_DATABASE_URL": "foo://bar"},
                         "audit", "verify")
    assert code == 2 and "RELAIS_DATABASE_URL illisible" in printed, printed

    code, printed = _run(shell, "demo", "--seed-only", "--residents", "30")
    assert code == 0, printed
    code, printed = _run({**shell, "RELAIS_AUDIT_SEAL_SECONDS": "souvent"}, "report", "month",
                         "2026-10")
    assert code == 2, printed
    assert "RELAIS_AUDIT_SEAL_SECONDS : nombre attendu" in printed, printed
    for command in commands[3:]:  # these find the demo's database too
        code, printed = _run(shell, *command)
        assert code == 0, (command, printed)
        assert "Base de démonstration" in printed, printed
    code, printed = _run(shell, "residents", "merge", "a", "b", "--agent", "admin",
                         "--reason", "doublon")
    assert code == 2 and "Identifiant illisible pour SURVIVOR_ID" in printed, printed


def test_a_long_list_of_anomalies_keeps_the_head_verdict_first(
    shell: dict[str, str], tmp_path: Path
) -> None:
    code, printed = _run(shell, "demo", "--seed-only", "--residents", "30")
    assert code == 0, printed
    code, printed = _run(shell, "audit", "verify")
    assert code == 0, printed
    head = re.search(r"\d+:[0-9a-f]{64}", printed)
    rows = re.search(r"([\d\u202f]+) lignes vérifiées", printed)
    assert head and rows, printed
    total = int(rows.group(1).replace("\u202f", ""))
    assert total > 50, printed
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    with engine.begin() as connection:  # someone with the database file in hand
        connection.exec_driver_sql("DROP TRIGGER trg_access_log_no_update")
        connection.exec_driver_sql("UPDATE access_log SET reason = 'inventé'")
    engine.dispose()
    code, printed = _run(shell, "audit", "verify", "--expect-head", head.group(0))
    assert code == 1, printed
    verdict, anomalies = printed.index("Tête attendue retrouvée"), printed.index("anomalie(s)")
    assert verdict < anomalies
    assert printed.count("modifiée, ou chaîne réécrite") == 50
    assert f"… et {total - 50:,} autres.".replace(",", "\u202f") in printed, printed
