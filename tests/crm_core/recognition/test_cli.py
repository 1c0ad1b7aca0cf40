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


def _ids(database: str) -> tuple[str, str]:
    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        survivor, merged = (str(session.scalar(select(Resident.id).where(
            Resident.given_name == given))) for given in ("Camille", "Camile"))
    engine.dispose()
    return survivor, merged


def _merges(database: str) -> int:
    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        counted = session.scalar(select(func.count()).select_from(ResidentMerge)) or 0
    engine.dispose()
    return counted


@pytest.mark.parametrize(("reason", "said"), [
    ("", "texte trop court"), ("   ", "texte trop court"),
    ("\u200b\u200b\u200b\u200b", "caractères visibles"), ("ok\x07ok", "U+0007 (sonnerie)"),
    ("x" * 201, "200 caractères"),
])
def test_merge_and_unmerge_refuse_the_reasons_the_api_refuses(
        database: str, reason: str, said: str) -> None:
    survivor, merged = _ids(database)
    refused = runner.invoke(app, ["residents", "merge", survivor, merged, "--agent", "chef",
                                  "--reason", reason])
    assert refused.exit_code == 2, refused.output
    assert "Motif refusé (--reason)" in refused.output and said in refused.output
    assert _merges(database) == 0
    undone = runner.invoke(app, ["residents", "unmerge", survivor, "--agent", "chef",
                                 "--reason", reason])
    assert undone.exit_code == 2 and said in undone.output


@pytest.mark.parametrize("field", ["foo", "nom", "address\x1b[31m"])
def test_merge_refuses_a_field_it_cannot_take(database: str, field: str) -> None:
    """Fifth outside look at issue 21: `--take nom` ended in an English KeyError traceback."""
    survivor, merged = _ids(database)
    refused = runner.invoke(app, ["residents", "merge", survivor, merged, "--agent", "chef",
                                  "--reason", "doublon", "--take", "address", "--take", field])
    assert refused.exit_code == 2, refused.output
    said = " ".join(refused.output.split())
    assert "Champ à reprendre inconnu" in said and "birth_date, birth_name, address" in said
    assert "Traceback" not in said and "\x1b" not in refused.output
    assert _merges(database) == 0


def test_merge_says_what_moved_in_french(database: str) -> None:
    survivor, merged = _ids(database)
    done = runner.invoke(app, ["residents", "merge", survivor, merged, "--agent", "chef",
                               "--reason", "doublon"])
    assert done.exit_code == 0, done.output
    assert "rien n'a été déplacé" in done.output and "déplacé rien" not in done.output


def test_merge_refusal_names_the_role_in_french(database: str) -> None:
    survivor, merged = _ids(database)
    refused = runner.invoke(app, ["residents", "merge", survivor, merged, "--agent", "guichet",
                                  "--reason", "doublon"])
    assert refused.exit_code == 1
    assert "le rôle agent d'accueil ne permet pas" in " ".join(refused.output.split())


@pytest.mark.parametrize("code", ["7505", "750560", "2C004", "abcde", "75\u00a0056", "\x1b[31m"])
def test_duplicates_refuses_what_is_not_an_insee_code(database: str, code: str) -> None:
    refused = runner.invoke(app, ["residents", "duplicates", "--insee-code", code])
    assert refused.exit_code == 2, refused.output
    assert "Code INSEE illisible pour --insee-code" in refused.output
    assert "\x1b" not in refused.output and "\u00a0" not in refused.output


@pytest.mark.parametrize("code", ["75056", "2A004", "2B033"])
def test_duplicates_takes_insee_codes(database: str, code: str) -> None:
    assert runner.invoke(app, ["residents", "duplicates", "--insee-code", code]).exit_code == 0


def test_duplicates_table_is_french_and_keeps_ids_whole_at_80_columns(
        database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    listed = runner.invoke(app, ["residents", "duplicates"])
    assert listed.exit_code == 0, listed.output
    for resident_id in _ids(database):
        assert resident_id in listed.output
    assert all(line.endswith(("┓", "┃", "┩", "│", "┘")) for line in listed.output.splitlines()[1:])
    assert "date de naissance" in listed.output and "identique" in listed.output
    for english in ("birth_date", "given_name", "family_name", "none_shared", "different"):
        assert english not in listed.output
