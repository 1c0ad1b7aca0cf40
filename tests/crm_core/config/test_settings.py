from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine

from crm_core.app.main import create_app
from crm_core.config import DEMO_SECRET_KEY, Settings


def test_default_secret_is_refused_outside_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELAIS_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="RELAIS_SECRET_KEY"):
        Settings(demo_mode=False)
    with pytest.raises(ValidationError):
        Settings(demo_mode=False, secret_key=DEMO_SECRET_KEY)
    with pytest.raises(ValidationError, match="32"):
        Settings(demo_mode=False, secret_key="short")


def test_demo_mode_gets_the_demo_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELAIS_SECRET_KEY", raising=False)
    assert Settings(demo_mode=True).secret_key.get_secret_value() == DEMO_SECRET_KEY


def test_embedded_sqlite_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELAIS_DATABASE_URL", raising=False)
    settings = Settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path}/relais.db"
    monkeypatch.setenv("RELAIS_DATABASE_URL", "postgresql://db/relais")
    assert Settings().effective_database_url == "postgresql://db/relais"


@pytest.mark.parametrize(("demo", "api_docs", "served"), [
    (True, None, True), (False, None, False), (False, True, True), (True, False, False),
])
def test_interactive_api_pages_are_off_in_production_unless_asked(
    engine: Engine, demo: bool, api_docs: bool | None, served: bool
) -> None:
    settings = Settings(demo_mode=demo, api_docs=api_docs)
    with TestClient(create_app(settings, engine)) as client:
        assert (client.get("/docs").status_code == 200) is served
        assert (client.get("/redoc").status_code == 200) is served
        assert client.get("/openapi.json").status_code == 200  # integrators still read it


def test_counts_read_the_french_way() -> None:
    from crm_core.text import count

    assert (count(7), count(2580), count(1_234_567)) == ("7", "2\u202f580", "1\u202f234\u202f567")
