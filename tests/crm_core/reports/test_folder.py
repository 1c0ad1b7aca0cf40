"""The in-server folder keeps the roll-ups fresh without an operator."""

from __future__ import annotations

import threading
from types import ModuleType

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.channels import Channel
from crm_core.reports.folder import PeriodicFolder
from crm_core.reports.models import ALL_ID, ReportCell, ReportDelta, ReportPresence
from crm_core.reports.rollup import FoldResult
from tests.crm_core.reports.dataset import at, make_world
from tests.support.clock import city_zone


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
    folder = PeriodicFolder(_factory(db_session), 60, timezone=city_zone())
    assert folder.fold_once().deltas == 3
    assert db_session.scalar(select(func.count()).select_from(ReportDelta)) == 0
    assert _phone_cell(db_session) == (3, 3)
    assert folder.fold_once().deltas == 0  # nothing new: nothing counted twice
    assert _phone_cell(db_session) == (3, 3)
    assert (db_session.scalar(select(func.count()).select_from(ReportPresence)) or 0) > 0


def test_a_backlog_is_folded_in_short_commits(
    db_session: Session, factories: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big journal is not one long transaction: on SQLite, whose single write lock
    the counters' visits wait for, the folder commits small batches and rests between."""
    import crm_core.reports.folder as folder_module

    monkeypatch.setattr(folder_module, "SQLITE_BATCH", 2)
    monkeypatch.setattr(folder_module, "FOLD_BATCH", 2)
    world = make_world(db_session, factories)
    for who in range(5):
        world.contact(who, Channel.PHONE, at(3))
    rests: list[float] = []

    class Counted(PeriodicFolder):
        def breathe(self, batch_started: float) -> bool:
            rests.append(batch_started)
            return super().breathe(batch_started)

    factory = _factory(db_session)
    commits: list[int] = []
    folder = Counted(factory, 60, timezone=city_zone())
    original = factory.class_.commit

    def counted_commit(session: Session) -> None:
        commits.append(1)
        original(session)

    monkeypatch.setattr(factory.class_, "commit", counted_commit)
    assert folder.fold_once().deltas == 5
    assert _phone_cell(db_session) == (5, 5)
    assert len(commits) == 4  # 2 + 2 + 1 deltas, then the daily pruning
    sqlite = db_session.get_bind().dialect.name == "sqlite"
    assert len(rests) == (2 if sqlite else 0)


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

    folder = Watched(_factory(db_session), 0.01, timezone=city_zone())
    folder.start()
    try:
        assert folded.wait(30)
    finally:
        folder.stop()
    assert db_session.scalar(select(func.count()).select_from(ReportDelta)) == 0
    assert _phone_cell(db_session) == (2, 2)


def test_the_server_starts_a_folder_when_asked(
    migrated_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RELAIS_REPORT_FOLD_SECONDS > 0: the app's lifespan folds committed writes."""
    from fastapi.testclient import TestClient

    from crm_core.app.main import create_app
    from crm_core.config import Settings
    from crm_core.database.engine import make_engine, make_session_factory
    from tests import factories as factory_module

    engine = make_engine(migrated_database_url)
    try:
        factory = make_session_factory(engine)
        with factory() as db_session:
            factory_module.bind(db_session)
            world = make_world(db_session, factory_module)
            world.contact(0, Channel.PHONE, at(3))
            db_session.commit()
        factory_module.bind(None)
        monkeypatch.setenv("RELAIS_REPORT_FOLD_SECONDS", "0.05")
        app = create_app(Settings(), engine)
        with TestClient(app):
            for _ in range(600):
                with factory() as db_session:
                    if not db_session.scalar(select(func.count()).select_from(ReportDelta)):
                        break
                threading.Event().wait(0.05)
        with factory() as db_session:
            assert db_session.scalar(select(func.count()).select_from(ReportDelta)) == 0
            assert _phone_cell(db_session) == (1, 1)
    finally:
        factory_module.bind(None)
        engine.dispose()
