"""What `relais demo` does before serving: database, migrations, demo data, hints."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from crm_core.cli_database import DEMO_DATABASE
from crm_core.config import Settings
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade

if TYPE_CHECKING:
    from crm_core.demo.examples import DemoExample


def private_database(path: Path) -> None:
    """The demo database holds the demo residents' data: created 0600 (its folder 0700 if
    made here), before SQLite opens it; its -wal/-shm files copy its mode (issue 19: it
    was 0644 in a 0755 folder). A demo.db an earlier version left wider is narrowed; any
    other existing file (a RELAIS_DATABASE_URL of the user's) keeps its modes."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if path.exists():
        if path.name == DEMO_DATABASE:
            for own in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                if own.is_file() and stat.S_IMODE(own.stat().st_mode) & 0o077:
                    own.chmod(0o600)
        return
    os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))


def prepare_demo(
    *, settings: Settings, password: str, residents: int, reset: bool
) -> tuple[list[str], DemoExample | None]:
    """Create (or reuse) the demo database; return "try this" lines for the console and
    the known caller of those lines (whose number makes the demo desk ring)."""
    from crm_core.demo.examples import find_examples, known_caller
    from crm_core.demo.seed import is_seeded, seed_demo
    from crm_core.privacy.audit import seal_all

    url = make_url(settings.effective_database_url)
    if reset and url.get_backend_name() == "sqlite" and url.database:
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        private_database(Path(url.database))
    engine = make_engine(settings.effective_database_url)
    try:
        upgrade(engine)
        with make_session_factory(engine, settings.session_info())() as db_session:
            hints = []
            if is_seeded(db_session=db_session):
                hints.append(
                    "base déjà initialisée (mot de passe choisi alors) — --reset pour repartir"
                )
            else:
                seed_demo(db_session=db_session, password=password, residents=residents,
                          timezone=settings.timezone)
                # Sealed now, not by the server later: `relais audit verify` right after
                # `relais demo --seed-only` has a chain to check.
                seal_all(db_session=db_session)
                db_session.commit()
            examples = find_examples(db_session=db_session)
            hints += [example.hint for example in examples]
            return hints, known_caller(examples)
    finally:
        engine.dispose()
