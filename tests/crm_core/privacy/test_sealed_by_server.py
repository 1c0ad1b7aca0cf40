"""A chain the server sealed verifies clean from `relais audit verify`, each in a process
of its own as in real use: the verifier once read the ids back as bare hex (only part of
the models loaded) and called every row the server had sealed "modifiée"."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from crm_core.database.engine import make_engine, make_session_factory
from crm_core.privacy.models import AccessLog, AccessLogSeal
from tests.crm_core.privacy.test_audit import _triggers_bypassed
from tests.support.clock import python_command
from tests.support.live_server import free_port


@pytest.fixture
def server_database(agents_database_url: str) -> Iterator[Engine]:
    engine = make_engine(agents_database_url)
    yield engine
    engine.dispose()


def _environment(url: str, data_dir: Path) -> dict[str, str]:
    return {**os.environ, "RELAIS_DATABASE_URL": url, "RELAIS_SECRET_KEY": "s" * 48,
            "RELAIS_DATA_DIR": str(data_dir), "RELAIS_DEMO_MODE": "false",
            "RELAIS_AUDIT_SEAL_SECONDS": "0.2"}


def _relais(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(python_command("-m", "crm_core.app.launcher", *args), env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _use_the_server(url: str) -> None:
    """Sign in, create a resident and read its summary three times (four log rows)."""
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=f"{url}/api/v1", timeout=10) as client:
        while True:
            try:
                client.get("/health").raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        token = client.post("/auth/token", data={"username": "superviseur",
                                                 "password": "secret-pass"}).json()
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        created = client.post("/residents", json={"given_name": "Jean",
                                                  "family_name": "Dupont"})
        created.raise_for_status()
        for _ in range(3):
            client.get(f"/residents/{created.json()['id']}/summary").raise_for_status()


def _all_sealed(engine: Engine, rows: int) -> bool:
    with make_session_factory(engine)() as db_session:
        return (db_session.scalar(select(func.count()).select_from(AccessLogSeal)) or 0) >= rows


def test_the_rows_the_server_sealed_verify_clean_and_an_edit_is_still_caught(
    server_database: Engine, tmp_path: Path
) -> None:
    url = server_database.url.render_as_string(hide_password=False)
    env = _environment(url, tmp_path)
    port = free_port()
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(python_command("-m", "crm_core.app.launcher", "serve", "--port",
                                                 str(port)), env=env, stdout=log, stderr=log)
    try:
        _use_the_server(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while not _all_sealed(server_database, 4) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert _all_sealed(server_database, 4), (tmp_path / "serve.log").read_text()

    verified = _relais(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "4 lignes vérifiées" in verified.stdout
    assert "Journal des consultations intègre" in verified.stdout

    with Session(server_database) as db_session, db_session.begin(), \
            _triggers_bypassed(db_session):
        db_session.execute(update(AccessLog).where(AccessLog.id == 2)
                           .values(reason="consultation pour un motif inventé"))
    tampered = _relais(env, "audit", "verify")
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr
    printed = " ".join(tampered.stdout.split())
    assert "1 anomalie(s) : • ligne 2 (maillon 2) modifiée" in printed
