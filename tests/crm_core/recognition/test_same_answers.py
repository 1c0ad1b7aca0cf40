"""Both engines propose the same residents in the same order, with the same scores."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade
from crm_core.demo.people import make_people
from crm_core.recognition.quality import Target, make_queries
from crm_core.recognition.search import search
from crm_core.residents import service
from crm_core.residents.schemas import EmailIn, PhoneIn, ResidentCreate


def _load(db_session: Session) -> list[Target]:
    targets = []
    for person in make_people(250, random.Random(3), date(2026, 1, 1)):
        resident = service.create(db_session=db_session, phone_region="FR",
                                  actor=SYSTEM, data=ResidentCreate(
            given_name=person.given_name, family_name=person.family_name,
            birth_name=person.birth_name, birth_date=person.birth_date,
            phones=[PhoneIn(number=p.written) for p in person.phones],
            emails=[EmailIn(address=e.address) for e in person.emails],
        ))
        targets.append(Target(resident.id, resident.given_name, resident.family_name,
                              resident.birth_date))
    return targets


def _answers(db_session: Session, targets: list[Target]) -> list[Any]:
    answers: list[Any] = []
    for query in make_queries(targets[:120], seed=5):
        for birth_date in (None, query.target.birth_date):
            outcome = search(db_session=db_session, phone_region="FR",
                             q=query.text, birth_date=birth_date)
            answers.append([
                (c.given_name, c.family_name, c.birth_date, c.score,
                 [r.as_dict() for r in c.reasons]) for c in outcome.results
            ])
    for typed in ("mar", "le", "06", "@exemple", "jean 12/03/1990"):
        try:
            outcome = search(db_session=db_session, phone_region="FR", q=typed)
        except Exception as exc:  # the same refusal on both sides is an answer too
            answers.append(type(exc).__name__)
        else:
            answers.append([(c.given_name, c.family_name, c.score) for c in outcome.results])
    return answers


def test_postgresql_and_sqlite_give_the_same_answers(
    engine: Engine, db_session: Session, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("compares PostgreSQL with a SQLite database built alongside")
    on_postgres = _answers(db_session, _load(db_session))
    sqlite = make_engine(f"sqlite:///{tmp_path / 'same.db'}")
    upgrade(sqlite)
    try:
        with make_session_factory(sqlite)() as other:
            on_sqlite = _answers(other, _load(other))
    finally:
        sqlite.dispose()
    assert len(on_postgres) == len(on_sqlite)
    for index, (pg, lite) in enumerate(zip(on_postgres, on_sqlite, strict=True)):
        assert pg == lite, index
