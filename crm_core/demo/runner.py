"""What `relais demo` does before serving: database, migrations, demo data, hints."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from crm_core.config import Settings
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade


def prepare_demo(
    *, settings: Settings, password: str, residents: int, reset: bool
) -> tuple[list[str], str | None]:
    """Create (or reuse) the demo database; return "try this" lines for the console and
    the phone number of a known caller (to make the demo desk ring)."""
    from crm_core.demo.examples import find_examples
    from crm_core.demo.seed import is_seeded, seed_demo

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
                db_session.commit()
            examples = find_examples(db_session=db_session)
            hints += [example.hint for example in examples]
            phone = next((e.phone for e in examples if e.phone), None)
            return hints, phone.replace(" ", "") if phone else None
    finally:
        engine.dispose()
