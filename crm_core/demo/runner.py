"""What `relais demo` does before serving: database, migrations, demo data, hints."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from crm_core.config import Settings
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade

if TYPE_CHECKING:
    from crm_core.demo.examples import DemoExample


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
    engine = make_engine(settings.effective_database_url)
    try:
        upgrade(engine)
        with make_session_factory(engine)() as db_session:
            hints = []
            if is_seeded(db_session=db_session):
                hints.append(
                    "base déjà initialisée (mot de passe choisi alors) — --reset pour repartir"
                )
            else:
                seed_demo(db_session=db_session, password=password, residents=residents)
                # Sealed now, not by the server later: `relais audit verify` right after
                # `relais demo --seed-only` has a chain to check.
                seal_all(db_session=db_session)
                db_session.commit()
            examples = find_examples(db_session=db_session)
            hints += [example.hint for example in examples]
            return hints, known_caller(examples)
    finally:
        engine.dispose()
