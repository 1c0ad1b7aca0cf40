"""Databases copied from templates prepared once per run.

Migrating a database from scratch costs 1.5-3 s; about a hundred tests each need one of
their own (a live server, a CLI, a worker). Each template is prepared once per test
process, then copied: a file copy through SQLite's backup API, `CREATE DATABASE ...
TEMPLATE` on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from benchmarks.pgcluster import PostgresCluster
from crm_core.database.engine import make_engine

Prepare = Callable[[Engine], None]


@dataclass
class DatabaseTemplates:
    """Templates on one engine kind ("sqlite" or "postgresql")."""

    kind: str
    cluster: PostgresCluster | None
    folder: Path
    _made: dict[str, str] = field(default_factory=dict)

    def copy(self, template: str, prepare: Prepare, folder: Path) -> str:
        """The URL of a new database holding what `prepare` put in the template."""
        if template not in self._made:
            self._made[template] = self._make(template, prepare)
        name = f"relais_{template}_{uuid.uuid4().hex[:12]}"
        if self.kind == "sqlite":
            return self._copy_sqlite(self._made[template], folder / f"{name}.db")
        if self.cluster is None:  # RELAIS_TEST_POSTGRES_URL: one database, prepared once
            return self._made[template]
        return self.cluster.create_database(name, template=self._made[template])

    def _make(self, template: str, prepare: Prepare) -> str:
        if self.kind == "sqlite":
            url = f"sqlite:///{self.folder / f'template_{template}.db'}"
        elif self.cluster is None:
            import os

            url = os.environ["RELAIS_TEST_POSTGRES_URL"]
        else:
            url = self.cluster.create_database(f"relais_template_{template}")
        engine = make_engine(url)
        try:
            prepare(engine)
        finally:
            engine.dispose()  # a template may have no open connection when copied
        if self.kind == "sqlite" or self.cluster is None:
            return url
        return f"relais_template_{template}"

    @staticmethod
    def _copy_sqlite(template_url: str, target: Path) -> str:
        source = sqlite3.connect(template_url.removeprefix("sqlite:///"))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return f"sqlite:///{target}"
