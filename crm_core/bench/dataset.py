"""Bulk dataset loading with a progress bar (`relais seed`, benchmarks)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from sqlalchemy import Engine


def load_with_progress(
    *, engine: Engine, residents: int, cases: float, interactions: float, console: Console,
    index_for_search: bool = True,
) -> Any:
    """Bulk-load, then (by default) recompute the search keys so the new residents can be
    found by the fuzzy search: the bulk loader writes the tables directly, not through the
    services that index as they go."""
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
        return stats
