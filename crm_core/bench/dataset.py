"""Bulk dataset loading with a progress bar (`relais seed`, benchmarks)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from sqlalchemy import Engine


def load_with_progress(
    *, engine: Engine, residents: int, cases: float, interactions: float, console: Console
) -> Any:
    from crm_core.demo.bulk import load_dataset

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=console, transient=False,
    ) as progress:
        task = progress.add_task("Usagers chargés", total=residents)
        return load_dataset(
            engine=engine, residents=residents, cases_per_resident=cases,
            interactions_per_resident=interactions,
            progress=lambda done: progress.update(task, completed=done),
        )
