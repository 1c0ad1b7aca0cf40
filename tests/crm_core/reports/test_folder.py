"""The in-server folder keeps the roll-ups fresh without an operator."""

from __future__ import annotations

import threading
from types import ModuleType

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.interactions.enums import Channel
from crm_core.reports.folder import PeriodicFolder
from crm_core.reports.models import ALL_ID, ReportCell, ReportDelta, ReportPresence
from crm_core.reports.rollup import FoldResult
from tests.crm_core.reports.dataset import at, make_world


def _factory(db_session: Session) -> sessionmaker[Session]:
    """Sessions inside the test's transaction (their commits release savepoints)."""
    return sessionmaker(bind=db_session.connection(), join_transaction_mode="create_savepoint",
                        expire_on_commit=False, autoflush=False)


def _phone_cell(db_session: Session) -> tuple[int, int]:
    cell = db_session.scalars(select(ReportCell).where(
        ReportCell.kind == "contact", ReportCell.grain == "m", ReportCell.site_id == ALL_ID,
        ReportCell.service_id == ALL_ID, ReportCell.channel == "phone")).one()
    return cell.n, cell.residents


def test_a_round_folds_the_journal_and_prunes_once_a_day(
    db_session: Session, factories: ModuleType
) -> None:
    world = make_world(db_session, factories)
    for who in range(3):
        world.contact(who, Channel.PHONE, at(3))
    folder = PeriodicFolder(_factory(db_session), 60)
    assert folder.fold_once().deltas == 3
    assert db_session.scalar(select(func.count()).select_from(ReportDelta)) == 0
    assert _phone_cell(db_session) == (3, 3)
    assert folder.fold_once().deltas == 0  # nothing new: nothing counted twice
    assert _phone_cell(db_session) == (3, 3)
    assert (db_session.scalar(select(func.count()).select_from(ReportPresence)) or 0) > 0


def test_the_thread_folds_by_itself_until_stopped(
    db_session: Session, factories: ModuleType
) -> None:
    world = make_world(db_session, factories)
    world.contact(0, Channel.PHONE, at(3))
    world.contact(1, Channel.PHONE, at(4))
    folded = threading.Event()

    class Watched(PeriodicFolder):
        def fold_once(self) -> FoldResult:
            result = super().fold_once()
            if result.deltas:
                folded.set()
            return result

    folder = Watched(_factory(db_session), 0.01)
    folder.start()
    try:
        assert folded.wait(30)
    finally:
        folder.stop()
    assert db_session.scalar(select(func.count()).select_from(ReportDelta)) == 0
    assert _phone_cell(db_session) == (2, 2)
