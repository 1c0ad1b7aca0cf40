"""Bulk dataset loading with a progress bar (`relais seed`, benchmarks)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from sqlalchemy import Engine


def load_with_progress(
    *, engine: Engine, residents: int, cases: float, interactions: float, console: Console,
    timezone: str, index_for_search: bool = True, build_reports: bool = True,
) -> Any:
    """Bulk-load, then (by default) recompute the search keys so the new residents can be
    found by the fuzzy search: the bulk loader writes the tables directly, not through the
    services that index as they go. Then (by default) build the reports' roll-ups in
    set-based SQL, which empties their journal: left to the server's folder, millions of
    journal rows would keep it busy for hours, and on SQLite delay every write."""
    from crm_core.demo.bulk import load_dataset

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=console, transient=False,
    ) as progress:
        task = progress.add_task("Usagers chargés", total=residents)
        stats = load_dataset(
            engine=engine, residents=residents, cases_per_resident=cases,
            interactions_per_resident=interactions,
            progress=lambda done: progress.update(task, completed=done),
        )
        if index_for_search:
            from crm_core.recognition.rebuild import rebuild_search_keys

            indexing = progress.add_task("Usagers indexés pour la recherche", total=None)
            rebuilt = rebuild_search_keys(
                engine=engine, progress=lambda done: progress.update(indexing, completed=done),
            )
            progress.update(indexing, total=rebuilt.residents, completed=rebuilt.residents)
        if build_reports:
            from crm_core.database.engine import make_session_factory
            from crm_core.reports.rebuild import rebuild

            building = progress.add_task("Tableaux de bord calculés", total=None)
            with make_session_factory(engine)() as db_session:
                rebuild(db_session=db_session, timezone=timezone)
                db_session.commit()
            progress.update(building, total=1, completed=1)
        return stats
