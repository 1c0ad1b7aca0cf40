"""The request's unit of work: committed as the route returns and before the answer goes
out; rolled back on error; a constraint broken at commit is a 409 problem, never a 500 nor
a 200; the after-commit hooks run only after a commit."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import sessionmaker

from crm_core.api import problems
from crm_core.api.deps import DbSession
from crm_core.api.unit_of_work import on_commit

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True),
              Column("text", String, unique=True))


@pytest.fixture
def app_and_log(tmp_path: Path) -> tuple[FastAPI, list[str]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    metadata.create_all(engine)
    app = FastAPI()
    app.state.session_factory = sessionmaker(bind=engine, expire_on_commit=False)
    problems.install(app)
    seen: list[str] = []

    def committed_rows() -> list[str]:
        with engine.connect() as other:  # another connection: only committed rows
            return list(other.scalars(select(notes.c.text)))

    @app.post("/notes/{text}")
    def write(db_session: DbSession, text: str) -> dict[str, list[str]]:
        db_session.execute(insert(notes).values(text=text))
        on_commit(db_session, lambda: seen.append(f"after commit: {committed_rows()}"))
        return {"before": committed_rows()}

    @app.post("/failing/{text}")
    def fail(db_session: DbSession, text: str) -> None:
        db_session.execute(insert(notes).values(text=text))
        on_commit(db_session, lambda: seen.append("never"))
        raise RuntimeError("after the write")

    @app.get("/notes")
    def read(db_session: DbSession) -> list[str]:
        return list(db_session.scalars(select(notes.c.text)))

    return app, seen


def test_the_route_commits_once_it_returns_and_before_the_answer(
    app_and_log: tuple[FastAPI, list[str]],
) -> None:
    app, seen = app_and_log
    with TestClient(app) as client:
        answer = client.post("/notes/one")
        assert answer.status_code == 200 and answer.json() == {"before": []}
        assert seen == ["after commit: ['one']"]  # the hook saw it committed
        assert client.get("/notes").json() == ["one"]


def test_an_error_rolls_back_and_runs_no_hook(app_and_log: tuple[FastAPI, list[str]]) -> None:
    app, seen = app_and_log
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/failing/two").status_code == 500
        assert client.get("/notes").json() == []
    assert seen == []


def test_a_constraint_broken_at_commit_is_a_conflict_not_a_success(
    app_and_log: tuple[FastAPI, list[str]], caplog: pytest.LogCaptureFixture,
) -> None:
    """The commit happens before the answer is sent: its failure is the answer."""
    app, seen = app_and_log
    engine = app.state.session_factory.kw["bind"]
    with engine.begin() as connection:
        connection.execute(insert(notes).values(text="Durand"))
    with caplog.at_level(logging.DEBUG), TestClient(app, raise_server_exceptions=False) as client:
        # The insert itself fails here (no deferred constraint in SQLite); either way the
        # transaction ends in the one mapping, a 409 that quotes no parameter.
        answer = client.post("/notes/Durand")
    assert answer.status_code == 409 and answer.json()["code"] == "integrity_conflict"
    assert seen == []
    assert not any("Durand" in r.getMessage() for r in caplog.records
                   if r.name.startswith(("relais", "crm_core", "sqlalchemy")))


def test_a_failed_commit_answers_an_error(app_and_log: tuple[FastAPI, list[str]],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    app, seen = app_and_log

    def refuse(self: Session) -> None:
        raise IntegrityError("INSERT …", {"text": "Durand"}, Exception("UNIQUE"))

    monkeypatch.setattr(Session, "commit", refuse)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post("/notes/Durand")
    assert answer.status_code == 409  # never the route's 200
    assert seen == []
