from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import ModuleType

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role
from crm_core.app.models import Base
from crm_core.badges.enums import BadgeKind
from crm_core.badges.models import Badge
from crm_core.cases.models import Case
from crm_core.exceptions import InvalidInput
from crm_core.interactions.models import Interaction
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.models import AccessLog
from crm_core.recognition import merge
from crm_core.recognition.indexing import reindex_residents
from crm_core.recognition.models import ResidentMerge
from crm_core.recognition.search import search
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from crm_core.residents.service import resolve_id
from crm_core.summary.service import build_summary
from tests.support.clock import city_day


@dataclass
class Pair:
    survivor: Resident
    merged: Resident
    actor: Actor


def owner_of(db_session: Session, model: type[Base], row_id: object) -> uuid.UUID:
    db_session.expire_all()
    row = db_session.get(model, row_id)
    assert row is not None
    return row.resident_id  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def pair(db_session: Session, factories: ModuleType) -> Pair:
    supervisor = factories.AgentFactory(role=Role.SUPERVISOR)
    actor = Actor(username=supervisor.username, agent_id=supervisor.id, role=Role.SUPERVISOR,
                  site_id=supervisor.site_id)
    survivor = factories.ResidentFactory(given_name="Camille", family_name="Durand")
    merged = factories.ResidentFactory(given_name="Camile", family_name="Durant",
                                       address_line="3 rue Haute", postal_code="35000",
                                       city="Rennes", insee_code="35238")
    reindex_residents(db_session=db_session, resident_ids=[survivor.id, merged.id])
    return Pair(survivor, merged, actor)


def test_merge_moves_every_row_and_unmerge_gives_each_its_own(
    db_session: Session, factories: ModuleType, pair: Pair
) -> None:
    survivor, merged = pair.survivor, pair.merged
    kept_case = factories.CaseFactory(resident=survivor)
    moved_case = factories.CaseFactory(resident=merged)
    moved_call = factories.InteractionFactory(resident=merged, case_id=moved_case.id)
    shared = factories.ContactPointFactory(resident=survivor, value="+33612345678")
    duplicate = factories.ContactPointFactory(resident=merged, value="+33612345678")
    email = factories.ContactPointFactory(resident=merged, kind=ContactKind.EMAIL,
                                          value="camile@exemple.fr")
    link = AccountLink(resident_id=merged.id, provider="compte", subject="abc")
    badge = Badge(id=uuid.uuid4().hex, resident_id=merged.id, kind=BadgeKind.QR,
                  expires_at=datetime.now(UTC) + timedelta(days=30))
    db_session.add_all([link, badge])
    db_session.flush()

    record = merge.merge(db_session=db_session, actor=pair.actor, survivor_id=survivor.id,
                         merged_id=merged.id, reason="même personne, vue au guichet")
    assert (merged.status, merged.merged_into_id) == (ResidentStatus.MERGED, survivor.id)
    for model, row_id in ((Case, moved_case.id), (Interaction, moved_call.id),
                          (ContactPoint, email.id), (AccountLink, link.id), (Badge, badge.id)):
        assert owner_of(db_session, model, row_id) == survivor.id, model
    assert owner_of(db_session, ContactPoint, duplicate.id) == merged.id  # survivor has it
    described = merge.describe(db_session=db_session, merge_id=record.id)
    assert described["moved"] == {"account_link": 1, "badge": 1, "case": 1,
                                  "contact_point": 1, "interaction": 1}
    assert described["evidence"]["decision"] in ("probable", "possible")

    # Every lookup of the old id lands on the survivor, and its old name still finds it.
    assert resolve_id(db_session=db_session, resident_id=merged.id) == (survivor.id, True)
    summary = build_summary(today=city_day(), db_session=db_session, resident_id=merged.id)
    assert summary["resident"]["id"] == survivor.id and summary["merged_from"] == merged.id
    assert {c["reference"] for c in summary["open_cases"]} == {kept_case.reference,
                                                               moved_case.reference}
    found = search(db_session=db_session, phone_region="FR", q="camile durant").results
    assert [c.resident_id for c in found] == [survivor.id]
    assert any(r.source == "merged_record" for r in found[0].reasons)
    logged = db_session.scalars(select(AccessLog).where(
        AccessLog.operation == AccessOperation.MERGE_RESIDENT)).all()
    assert {row.resident_id for row in logged} == {survivor.id, merged.id}
    assert all(row.agent_id == pair.actor.agent_id for row in logged)

    merge.unmerge(db_session=db_session, actor=pair.actor, merge_id=record.id,
                  reason="erreur : deux personnes")
    assert (merged.status, merged.merged_into_id) == (ResidentStatus.ACTIVE, None)
    for model, row_id in ((Case, moved_case.id), (Interaction, moved_call.id),
                          (ContactPoint, email.id), (AccountLink, link.id), (Badge, badge.id),
                          (ContactPoint, duplicate.id)):
        assert owner_of(db_session, model, row_id) == merged.id, model
    for model, row_id in ((Case, kept_case.id), (ContactPoint, shared.id)):
        assert owner_of(db_session, model, row_id) == survivor.id
    assert resolve_id(db_session=db_session, resident_id=merged.id) == (merged.id, False)
    assert {c.family_name for c in search(db_session=db_session, phone_region="FR",
                                          q="camile durant").results} == {
        "Durant", "Durand"}
    assert db_session.scalar(select(AccessLog.id).where(
        AccessLog.operation == AccessOperation.UNMERGE_RESIDENT,
        AccessLog.resident_id == merged.id)) is not None


def test_rows_added_after_the_merge_stay_with_the_survivor(
    db_session: Session, factories: ModuleType, pair: Pair
) -> None:
    record = merge.merge(db_session=db_session, actor=pair.actor, survivor_id=pair.survivor.id,
                         merged_id=pair.merged.id, reason="doublon")
    later = factories.CaseFactory(resident=pair.survivor)
    merge.unmerge(db_session=db_session, actor=pair.actor, merge_id=record.id, reason="erreur")
    assert owner_of(db_session, Case, later.id) == pair.survivor.id


def test_fields_taken_are_given_back_unless_corrected_since(
    db_session: Session, pair: Pair
) -> None:
    pair.survivor.birth_date = None
    record = merge.merge(db_session=db_session, actor=pair.actor, survivor_id=pair.survivor.id,
                         merged_id=pair.merged.id, reason="doublon",
                         take_fields=["address", "birth_date"])
    assert pair.survivor.address_line == "3 rue Haute"
    assert pair.survivor.birth_date == date(1984, 3, 12)
    assert record.fields_taken is not None and "postal_code" in record.fields_taken
    pair.survivor.city = "Rennes Métropole"  # an agent corrects it after the merge
    merge.unmerge(db_session=db_session, actor=pair.actor, merge_id=record.id, reason="erreur")
    assert pair.survivor.address_line is None
    assert pair.survivor.birth_date is None
    assert pair.survivor.city == "Rennes Métropole"


def test_a_field_that_cannot_be_taken_is_refused_before_anything(
    db_session: Session, pair: Pair
) -> None:
    with pytest.raises(InvalidInput, match="Champ à reprendre inconnu : « nom »"):
        merge.merge(db_session=db_session, actor=pair.actor, survivor_id=pair.survivor.id,
                    merged_id=pair.merged.id, reason="doublon", take_fields=["nom"])
    assert db_session.scalars(select(ResidentMerge)).all() == []


def test_refusals(db_session: Session, factories: ModuleType, pair: Pair) -> None:
    with pytest.raises(merge.MergeRefused, match="lui-même"):
        merge.merge(db_session=db_session, actor=pair.actor, survivor_id=pair.survivor.id,
                    merged_id=pair.survivor.id, reason="test")
    sibling = factories.ResidentFactory(given_name="Louis", family_name="Durand",
                                        birth_date=date(2010, 5, 1))
    factories.ContactPointFactory(resident=sibling, value="+33299000000")
    factories.ContactPointFactory(resident=pair.survivor, value="+33299000000")
    with pytest.raises(merge.MergeRefused, match="ne suffisent jamais") as refused:
        merge.merge(db_session=db_session, actor=pair.actor, survivor_id=pair.survivor.id,
                    merged_id=sibling.id, reason="même téléphone")
    assert refused.value.status == 409
    record = merge.merge(db_session=db_session, actor=pair.actor, survivor_id=pair.survivor.id,
                         merged_id=pair.merged.id, reason="doublon")
    with pytest.raises(merge.MergeRefused, match="déjà été fusionné"):
        merge.merge(db_session=db_session, actor=pair.actor, survivor_id=sibling.id,
                    merged_id=pair.merged.id, reason="encore")
    merge.unmerge(db_session=db_session, actor=pair.actor, merge_id=record.id, reason="erreur")
    with pytest.raises(merge.MergeRefused, match="déjà été annulée"):
        merge.unmerge(db_session=db_session, actor=pair.actor, merge_id=record.id,
                      reason="encore")
    with pytest.raises(merge.MergeNotFound):
        merge.unmerge(db_session=db_session, actor=pair.actor, merge_id=uuid.uuid4(),
                      reason="inconnue")


def test_chains_are_undone_in_reverse_order(
    db_session: Session, factories: ModuleType, pair: Pair
) -> None:
    third = factories.ResidentFactory(given_name="Camille", family_name="Durand")
    first = merge.merge(db_session=db_session, actor=pair.actor, survivor_id=pair.survivor.id,
                        merged_id=pair.merged.id, reason="doublon")
    # Naming the merged record as survivor means its survivor.
    second = merge.merge(db_session=db_session, actor=pair.actor, survivor_id=third.id,
                         merged_id=pair.survivor.id, reason="triplon")
    assert resolve_id(db_session=db_session, resident_id=pair.merged.id) == (third.id, True)
    with pytest.raises(merge.MergeRefused, match="annulez d'abord"):
        merge.unmerge(db_session=db_session, actor=pair.actor, merge_id=first.id, reason="x")
    merge.unmerge(db_session=db_session, actor=pair.actor, merge_id=second.id, reason="x")
    merge.unmerge(db_session=db_session, actor=pair.actor, merge_id=first.id, reason="x")
    assert pair.merged.status == pair.survivor.status == ResidentStatus.ACTIVE


def test_every_table_pointing_at_a_resident_is_moved_or_deliberately_kept() -> None:
    """Adding a table that belongs to a resident means one line in MOVABLE (or STAYS)."""
    movable = {f"{m.model.__tablename__}.resident_id" for m in merge.MOVABLE}
    pointing = {
        f"{table.name}.{fk.parent.name}"
        for table in Base.metadata.tables.values() for fk in table.foreign_keys
        if fk.column.table.name == "resident"
    }
    assert pointing == movable | set(merge.STAYS)
