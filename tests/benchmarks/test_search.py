"""The pieces of `relais bench search` that need no server: recall and the SQL replay."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from benchmarks.search import _in_process, _replay, _targets, render
from crm_core.agents.actor import SYSTEM
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.recognition.quality import make_queries
from crm_core.residents import service
from crm_core.residents.schemas import ResidentCreate


def _people(session: Session) -> None:
    for i, (given, family) in enumerate((
        ("Hélène", "Lefèvre"), ("Jean-Baptiste", "Le Goff"), ("Aminata", "N'Diaye"),
        ("Philippe", "Thibault"), ("François", "Guérin"), ("Camille", "Durand"),
        ("Gwenaëlle", "Kerbrat"), ("Loïc", "Quéméner"),
    )):
        service.create(db_session=session, phone_region="FR", actor=SYSTEM, data=ResidentCreate(
            given_name=given, family_name=family, birth_date=date(1970 + i, 1 + i, 10 + i)))


def test_quality_set_recall_and_sql_replay(migrated_database_url: str) -> None:
    from rich.console import Console

    engine = make_engine(migrated_database_url)
    try:
        with make_session_factory(engine)() as session:
            _people(session)
            session.commit()
        queries = make_queries(_targets(engine, 8, seed=1) * 2, seed=3)
        card, service_ms, captured = _in_process(engine, queries, with_date=True)
        assert card.namesakes.as_dict()["recall@1"] == 1.0
        assert len(service_ms) == len(captured) == 16
        assert all(statements for statements in captured)
        raw_ms = _replay(engine, captured)
        assert len(raw_ms) == 16 and all(ms > 0 for ms in raw_ms)
        from benchmarks.search import Row

        console = Console(record=True, width=200)
        render([Row(engine.dialect.name, 8, "nom + date", card, raw_ms, service_ms)], console)
        assert "rappel" in console.export_text()
    finally:
        engine.dispose()
