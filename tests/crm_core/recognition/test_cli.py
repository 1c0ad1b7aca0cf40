"""`relais residents duplicates | merge | unmerge | reindex`, in-process, own database."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from crm_core.agents.actor import SYSTEM
from crm_core.agents.enums import Role
from crm_core.agents.service import create_agent
from crm_core.app.launcher import full_app
from crm_core.config import get_settings
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.recognition.models import ResidentMerge, SearchKey
from crm_core.residents import service
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import Resident
from crm_core.residents.schemas import ResidentCreate

app = full_app()

runner = CliRunner()


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, migrated_database_url: str) -> str:
    monkeypatch.setenv("RELAIS_DATABASE_URL", migrated_database_url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    engine = make_engine(migrated_database_url)
    with make_session_factory(engine)() as session:
        for username, role in (("chef", Role.SUPERVISOR), ("guichet", Role.COUNTER)):
            create_agent(db_session=session, username=username, display_name=username,
                         password="secret-secret", role=role)
        for given, family in (("Camille", "Durand"), ("Camile", "Durant")):
            service.create(db_session=session, phone_region="FR", actor=SYSTEM, data=ResidentCreate(
                given_name=given, family_name=family, birth_date=date(1984, 3, 12)))
        session.commit()
    engine.dispose()
    return migrated_database_url


def test_duplicates_merge_unmerge_and_reindex(database: str) -> None:
    listed = runner.invoke(app, ["residents", "duplicates"])
    assert listed.exit_code == 0, listed.output
    assert "probable" in listed.output and "Camile" in listed.output
    engine = make_engine(database)  # the ids, from the database: a table may fold them
    with make_session_factory(engine)() as session:
        survivor, merged = (str(session.scalar(select(Resident.id).where(
            Resident.given_name == given))) for given in ("Camille", "Camile"))
    engine.dispose()

    refused = runner.invoke(app, ["residents", "merge", survivor, merged, "--agent", "guichet",
                                  "--reason", "doublon"])
    assert refused.exit_code == 1 and "ne permet pas" in refused.output
    done = runner.invoke(app, ["residents", "merge", survivor, merged, "--agent", "chef",
                               "--reason", "doublon", "--take", "birth_name"])
    assert done.exit_code == 0, done.output
    merge_id = re.search(r"Fusion ([0-9a-f-]{36})", done.output).group(1)  # type: ignore[union-attr]
    again = runner.invoke(app, ["residents", "merge", survivor, merged, "--agent", "chef",
                                "--reason", "doublon"])
    assert again.exit_code == 1 and "déjà été fusionné" in again.output

    undone = runner.invoke(app, ["residents", "unmerge", merge_id, "--agent", "chef",
                                 "--reason", "erreur"])
    assert undone.exit_code == 0, undone.output
    reindexed = runner.invoke(app, ["residents", "reindex"])
    assert reindexed.exit_code == 0 and "2 usagers indexés" in reindexed.output

    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Resident).where(
            Resident.status == ResidentStatus.ACTIVE)) == 2
        assert session.scalar(select(ResidentMerge.undone_at)) is not None
        assert (session.scalar(select(func.count()).select_from(SearchKey)) or 0) > 0
    engine.dispose()
