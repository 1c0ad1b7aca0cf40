"""A report reads all its cells in one statement; what it reads equals the direct reads."""

from __future__ import annotations

from types import ModuleType

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm_core.agents.models import Site
from crm_core.reports.builders import READS
from crm_core.reports.query import Scope, clear_prefetched, prefetch, read_cells
from crm_core.reports.rollup import fold_all
from crm_core.reports.service import REPORTS, build_report
from tests.crm_core.reports.dataset import OCTOBER
from tests.crm_core.reports.test_rollup import TODAY, _populate
from tests.support.clock import city_zone


@pytest.mark.parametrize("filtered", [False, True])
def test_prefetched_groupings_equal_direct_reads(
    db_session: Session, factories: ModuleType, filtered: bool
) -> None:
    _populate(db_session, factories)
    fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    start, end = OCTOBER
    nord = db_session.scalars(select(Site).where(Site.code == "nord")).one()
    scope = Scope(timezone=city_zone(), start=start, end=end, site=nord if filtered else None)
    reads = [read for name in REPORTS for read in READS[name](db_session, scope)]
    direct = {
        read: read_cells(db_session=db_session, kind=read[0], scope=scope,
                         parts=list(read[2]) if read[2] is not None else None).by(*read[1])
        for read in reads
    }
    assert any(direct.values())
    prefetch(db_session=db_session, scope=scope, reads=reads)
    try:
        for read in reads:
            cells = read_cells(db_session=db_session, kind=read[0], scope=scope,
                               parts=list(read[2]) if read[2] is not None else None)
            assert cells.by(*read[1]) == direct[read], read
    finally:
        clear_prefetched(db_session)


def test_the_monthly_document_takes_two_statements(
    db_session: Session, factories: ModuleType
) -> None:
    _populate(db_session, factories)
    fold_all(timezone=city_zone(), db_session=db_session, today=TODAY)
    start, end = OCTOBER
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    connection = db_session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        report = build_report(db_session=db_session, name="month",
                              scope=Scope(timezone=city_zone(), start=start, end=end))
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(report.tables) == 8
    # The journal's tail (empty here), then every table's cells and the names at once.
    assert len(statements) == 2, statements
