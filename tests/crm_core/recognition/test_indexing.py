from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.recognition.indexing import reindex_residents
from crm_core.recognition.keys import KeyKind
from crm_core.recognition.models import SearchKey, SearchTokenKey
from crm_core.recognition.rebuild import rebuild_search_keys
from crm_core.residents import service
from crm_core.residents.enums import ContactKind
from crm_core.residents.schemas import ContactPointCreate, ResidentCreate, ResidentUpdate
from tests.crm_core.recognition.conftest import MakeResident


def keys_of(db_session: Session, resident_id: uuid.UUID) -> dict[str, tuple[int, date | None]]:
    return {
        row.key: (row.kind, row.birth_date)
        for row in db_session.execute(
            select(SearchKey.key, SearchKey.kind, SearchKey.birth_date)
            .where(SearchKey.resident_id == resident_id)
        )
    }


def test_keys_follow_create_update_and_new_contact_points(
    db_session: Session, make_resident: MakeResident
) -> None:
    resident = make_resident("Camille", "Durand", date(1984, 3, 12), ["06 12 34 56 78"])
    keys = keys_of(db_session, resident.id)
    assert keys["camille durand"] == (KeyKind.PAIR, date(1984, 3, 12))
    assert keys["#5678"][0] == KeyKind.PHONE
    assert db_session.scalar(select(SearchTokenKey.token).where(SearchTokenKey.key == "~durA"))

    service.update(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                   data=ResidentUpdate(family_name="Kerbrat", birth_date=date(1984, 3, 13)))
    keys = keys_of(db_session, resident.id)
    assert "camille durand" not in keys
    assert keys["camille kerbrat"] == (KeyKind.PAIR, date(1984, 3, 13))

    service.add_contact_point(
        db_session=db_session, actor=SYSTEM, resident_id=resident.id, phone_region="FR",
        data=ContactPointCreate(kind=ContactKind.EMAIL, value="c.kerbrat@exemple.fr"),
    )
    assert keys_of(db_session, resident.id)["@c.kerbrat"][0] == KeyKind.EMAIL


def test_factory_residents_are_indexed_on_demand(
    db_session: Session, factories: object
) -> None:
    resident = factories.ResidentFactory(given_name="Loïc", family_name="Le Hénaff")  # type: ignore[attr-defined]
    assert keys_of(db_session, resident.id) == {}
    reindex_residents(db_session=db_session, resident_ids=[resident.id])
    assert {"henaff", "lehenaff", "henaff loic"} <= set(keys_of(db_session, resident.id))


def test_rebuild_gives_the_keys_the_live_path_gives(migrated_database_url: str) -> None:
    """On a database of its own: the rebuild commits (COPY on PostgreSQL)."""
    own = make_engine(migrated_database_url)
    try:
        with make_session_factory(own)() as session:
            people = [
                service.create(db_session=session, phone_region="FR",
                               actor=SYSTEM, data=data) for data in (
                    _data("Jean-Baptiste", "Le Goff", phones=["0612345678"]),
                    _data("Aminata", "N'Diaye"),
                    _data("Hélène", "Lefèvre", emails=["h.lefevre@exemple.fr"]),
                )
            ]
            session.commit()
            live = {p.id: keys_of(session, p.id) for p in people}
            vocabulary = set(session.execute(select(SearchTokenKey.key, SearchTokenKey.token)))
        stats = rebuild_search_keys(engine=own)
        assert (stats.residents, stats.keys) == (3, sum(len(k) for k in live.values()))
        with make_session_factory(own)() as session:
            assert {p.id: keys_of(session, p.id) for p in people} == live
            rebuilt = set(session.execute(select(SearchTokenKey.key, SearchTokenKey.token)))
            assert rebuilt == vocabulary
    finally:
        own.dispose()


def _data(given: str, family: str, phones: list[str] | None = None,
          emails: list[str] | None = None) -> ResidentCreate:
    return ResidentCreate(given_name=given, family_name=family, birth_date=date(1980, 1, 1),
                          phones=list(phones or []), emails=list(emails or []))
