from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

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
