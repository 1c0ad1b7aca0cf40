"""The bulk loader on both engines, each time on a fresh database (it commits)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from crm_core.cases import reference as refs
from crm_core.cases import service as cases
from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.channels import Channel
from crm_core.database.engine import make_engine
from crm_core.demo.bulk import BULK_AGENT_USERNAME, load_dataset, sample_rows
from crm_core.demo.catalogue import SERVICES
from crm_core.interactions.enums import Direction, Outcome
from crm_core.recognition import service as recognition
from crm_core.summary.service import build_summary
from tests.support.clock import city_day

COUNTED = {
    "residents": "resident", "contact_points": "contact_point", "cases": '"case"',
    "status_changes": "case_status_change", "interactions": "interaction",
}
# Child column -> parent table, for the foreign keys the load does not check.
ORPHANS = [
    ("contact_point", "resident_id", "resident"), ('"case"', "resident_id", "resident"),
    ('"case"', "service_id", "service"), ('"case"', "site_id", "site"),
    ('"case"', "opened_by_agent_id", "agent"), ("case_status_change", "case_id", '"case"'),
    ("interaction", "resident_id", "resident"), ("interaction", "case_id", '"case"'),
    ("interaction", "agent_id", "agent"), ("interaction", "site_id", "site"),
]
ENUMS = [
    ('"case"', "kind", CaseKind), ('"case"', "status", CaseStatus),
    ('"case"', "origin_channel", Channel), ("interaction", "channel", Channel),
    ("interaction", "direction", Direction), ("interaction", "outcome", Outcome),
]


@pytest.fixture
def fresh_engine(migrated_database_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_database_url)
    yield engine
    engine.dispose()


def _count(engine: Engine, sql: str, **params: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def _indexes(engine: Engine) -> dict[str, set[str]]:
    inspector = inspect(engine)
    return {t: {i["name"] or "" for i in inspector.get_indexes(t)}
            for t in ("resident", "contact_point", "case", "case_status_change", "interaction")}


def test_bulk_load_writes_valid_rows(fresh_engine: Engine) -> None:
    indexes_before = _indexes(fresh_engine)
    done: list[int] = []
    stats = load_dataset(engine=fresh_engine, residents=300, batch=120, progress=done.append)

    assert stats.residents == 300 and done[-1] == 300 and done == sorted(done)
    for attribute, table in COUNTED.items():
        sql = f"SELECT count(*) FROM {table}"  # noqa: S608 - our table names
        assert _count(fresh_engine, sql) == getattr(stats, attribute)
    assert 600 < stats.cases < 1200 and 2000 < stats.interactions < 4000
    assert _indexes(fresh_engine) == indexes_before  # dropped for the load, then rebuilt
    for child, column, parent in ORPHANS:
        orphans = (
            f"SELECT count(*) FROM {child} c LEFT JOIN {parent} p"  # noqa: S608 - our names
            f" ON p.id = c.{column} WHERE c.{column} IS NOT NULL AND p.id IS NULL"
        )
        assert _count(fresh_engine, orphans) == 0, (child, column)
    for table, column, enum in ENUMS:
        with fresh_engine.connect() as connection:
            sql = f"SELECT DISTINCT {column} FROM {table}"  # noqa: S608 - our names
            found = set(connection.scalars(text(sql)))
        assert found <= {member.value for member in enum}, (table, column)
    if fresh_engine.dialect.name == "sqlite":  # also re-checks the CHECK constraints
        with fresh_engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    with fresh_engine.connect() as connection:
        references = list(connection.scalars(text('SELECT reference FROM "case"')))
    assert all(refs.is_valid(r) for r in references) and len(set(references)) == len(references)


def test_bulk_rows_read_back_through_the_application(fresh_engine: Engine) -> None:
    stats = load_dataset(engine=fresh_engine, residents=150, sample_size=20)
    sample = stats.sample
    assert len(sample.resident_ids) == len(sample.phones) == 20
    assert sample.emails and sample.references
    with Session(fresh_engine) as db_session:
        for resident_id, phone in zip(sample.resident_ids, sample.phones, strict=True):
            assert recognition.by_phone(db_session=db_session, phone_region="FR",
                                        phone=phone) == resident_id
        for email in sample.emails[:5]:
            recognition.by_email(db_session=db_session, email=email)
        for reference in sample.references[:5]:
            case = cases.get_by_reference(db_session=db_session, reference=reference)
            assert case.history[0].to_status == CaseStatus.NEW
            assert case.history[-1].to_status == case.status
            assert case.due_date is not None and case.opened_at.tzinfo is not None
        summary = build_summary(db_session=db_session, resident_id=sample.resident_ids[0],
                                today=city_day())
        assert summary["resident"]["insee_code"] in {"35238", "35051", "35047", "35281",
                                                     "35210", "35024", "35055", "35353"}
        assert summary["contact_points"]
        services = {s.code for s in cases.list_services(db_session=db_session)}
        assert services == {spec.code for spec in SERVICES}
    again = sample_rows(engine=fresh_engine, size=10)
    assert len(again.phones) == 10 and len(again.references) == 10


def test_a_second_load_adds_a_distinct_population(fresh_engine: Engine) -> None:
    load_dataset(engine=fresh_engine, residents=100, cases_per_resident=1,
                 interactions_per_resident=2)
    second = load_dataset(engine=fresh_engine, residents=100, cases_per_resident=1,
                          interactions_per_resident=2)
    assert _count(fresh_engine, "SELECT count(*) FROM resident") == 200
    assert _count(fresh_engine, "SELECT count(DISTINCT value) FROM contact_point") == _count(
        fresh_engine, "SELECT count(*) FROM contact_point"
    )
    agents = "SELECT count(*) FROM agent WHERE username = :name"
    assert _count(fresh_engine, agents, name=BULK_AGENT_USERNAME) == 1
    with Session(fresh_engine) as db_session:
        resident_id = second.sample.resident_ids[0]
        assert recognition.by_phone(db_session=db_session, phone_region="FR",
                                    phone=second.sample.phones[0]) == (
            resident_id
        )
    assert _count(fresh_engine, "SELECT count(*) FROM site") == 1
