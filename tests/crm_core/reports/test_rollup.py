from __future__ import annotations

from datetime import date
from types import ModuleType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.channels import Channel
from crm_core.reports import rebuild as rebuilding
from crm_core.reports import rollup
from crm_core.reports.models import ALL_ID, ReportCell, ReportDelta, ReportPresence
from tests.crm_core.reports.dataset import at, make_world
from tests.support.clock import city_zone

TODAY = date(2026, 10, 31)  # every October day still open to late writes


def _cells(db_session: Session) -> set[tuple[object, ...]]:
    """Every cell; residents as suppression reads them: exact up to 5, "5 or more" beyond
    (the rebuild counts them all, the fold stops once it knows there are 5)."""
    return {
        (c.kind, c.grain, c.period, c.site_id, c.service_id, c.channel, c.detail, c.n,
         min(c.residents, rollup.SATURATION), round(c.sum1, 3), round(c.sum2, 3), c.ok, c.due,
         c.flag1, c.flag2)
        for c in db_session.scalars(select(ReportCell))
    }


def _populate(db_session: Session, factories: ModuleType) -> None:
    world = make_world(db_session, factories)
    for who in range(6):
        world.contact(who, Channel.PHONE, at(3 + who))
    world.contact(0, Channel.PHONE, at(4))  # the same resident again: 7 contacts, 6 people
    case = world.case(1, Channel.WEB, at(2))
    world.contact(1, Channel.COUNTER, at(6), case=case)
    world.resolve(case, Channel.COUNTER, at(6, 11))
    world.ticket(2, at(7), wait=600, service_time=300)
    world.ticket(None, at(7, 11), wait=1200, service_time=100)
    world.call("+33612345678", at(8), answer_after=20, queue="etat-civil")
    world.call("+33612345679", at(8, 11), answer_after=None)


def test_writes_are_journaled_and_folding_equals_rebuilding(
    db_session: Session, factories: ModuleType
) -> None:
    _populate(db_session, factories)
    kinds = dict(db_session.execute(
        select(ReportDelta.kind, func.count()).group_by(ReportDelta.kind)
    ).all())
    assert kinds == {"contact": 8, "case": 1, "resolution": 1, "ticket": 2, "call": 2}
    folded = rollup.fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    assert folded.deltas == 14
    assert db_session.scalar(select(func.count()).select_from(ReportDelta)) == 0
    incremental = _cells(db_session)
    rebuilding.rebuild(timezone=city_zone(), db_session=db_session, today=TODAY)
    rebuilt = _cells(db_session)
    assert sorted(rebuilt - incremental, key=str) == sorted(incremental - rebuilt, key=str)
    assert rebuilt == incremental
    month_contacts = {
        (c.channel, c.n, c.residents) for c in db_session.scalars(
            select(ReportCell).where(ReportCell.kind == "contact", ReportCell.grain == "m",
                                     ReportCell.site_id == ALL_ID)
        )
    }
    assert month_contacts == {("phone", 7, 6), ("counter", 1, 1)}


def test_folding_twice_counts_a_resident_once(
    db_session: Session, factories: ModuleType
) -> None:
    world = make_world(db_session, factories)
    world.contact(0, Channel.PHONE, at(3))
    rollup.fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    world.contact(0, Channel.PHONE, at(3, 15))
    rollup.fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    day = db_session.scalars(select(ReportCell).where(
        ReportCell.kind == "contact", ReportCell.grain == "d",
        ReportCell.site_id == ALL_ID, ReportCell.service_id == ALL_ID)).one()
    assert (day.n, day.residents) == (2, 1)


def test_pruned_periods_never_overcount_residents(
    db_session: Session, factories: ModuleType
) -> None:
    world = make_world(db_session, factories)
    world.contact(0, Channel.PHONE, at(3))
    rollup.fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    assert rollup.prune_presence(db_session=db_session, today=date(2027, 3, 1)) == 12
    world.contact(0, Channel.PHONE, at(3, 15))
    rollup.fold_pending(timezone=city_zone(), db_session=db_session, today=date(2027, 3, 1))
    day = db_session.scalars(select(ReportCell).where(
        ReportCell.kind == "contact", ReportCell.grain == "d",
        ReportCell.site_id == ALL_ID, ReportCell.service_id == ALL_ID)).one()
    assert (day.n, day.residents) == (2, 1)  # not 2: the presence set is gone
    assert db_session.scalar(select(func.count()).select_from(ReportPresence)) == 0


def test_a_full_cell_stops_recording_who(db_session: Session, factories: ModuleType) -> None:
    world = make_world(db_session, factories)
    for who in range(5):
        world.contact(who, Channel.PHONE, at(3))
    rollup.fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    before = db_session.scalar(select(func.count()).select_from(ReportPresence))
    for who in range(5, 9):
        world.contact(who, Channel.PHONE, at(3, 15))
    rollup.fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    # 5 residents reached in every cell of the first fold: no presence row added since,
    # and the figure stays a lower bound (5, not 9) — enough to publish.
    assert db_session.scalar(select(func.count()).select_from(ReportPresence)) == before
    day = db_session.scalars(select(ReportCell).where(
        ReportCell.kind == "contact", ReportCell.grain == "d",
        ReportCell.site_id == ALL_ID, ReportCell.service_id == ALL_ID)).one()
    assert (day.n, day.residents) == (9, 5)
    rebuilding.rebuild(timezone=city_zone(), db_session=db_session, today=TODAY)
    assert db_session.scalar(select(func.count()).select_from(ReportPresence)) == 0


def test_one_batch_offers_at_most_five_people_per_cell(
    db_session: Session, factories: ModuleType
) -> None:
    world = make_world(db_session, factories)
    for who in range(12):
        world.contact(who, Channel.PHONE, at(3))
    rollup.fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    day = db_session.scalars(select(ReportCell).where(
        ReportCell.kind == "contact", ReportCell.grain == "d",
        ReportCell.site_id == ALL_ID, ReportCell.service_id == ALL_ID)).one()
    assert (day.n, day.residents) == (12, 5)  # "5 or more": enough to publish
    per_cell = db_session.execute(select(func.count()).select_from(ReportPresence).group_by(
        *(getattr(ReportPresence, name) for name in rollup.KEY_COLUMNS))).scalars().all()
    assert len(per_cell) == 12 and set(per_cell) == {5}  # 3 grains × 4 site/service cells
