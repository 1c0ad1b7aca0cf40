"""Which database a `relais` command works on, and opening it without creating it.

`relais demo` keeps its data in `demo.db` in the data directory; the other commands use
`RELAIS_DATABASE_URL`, else `relais.db` there. So that `relais report …`, `relais audit …`
or `relais residents …` work right after `relais demo` with nothing set, they fall back
to the demo database when neither of those exists (and say so, on stderr, so that JSON
or CSV on stdout stays clean).

Those commands work on data that must already be there: a SQLite file is never created
for them, nor a database migrated (a verification that reported "intact" over an empty
database it had just created would vouch for nothing). Only `serve`, `db upgrade`,
`seed`, `agent add` and `demo` create or migrate.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crm_core.config import Settings, default_data_dir, get_settings

DEMO_DATABASE = "demo.db"
EMBEDDED_DATABASE = "relais.db"
errors = Console(stderr=True)


class _Location(BaseSettings):
    """Where the settings point, read the same way as `Settings` but without its checks
    (the demo fallback must be decided before the secret is)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_", env_file=".env", extra="ignore")
    database_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)


def demo_database(data_dir: Path) -> Path:
    return data_dir / DEMO_DATABASE


def load_settings() -> Settings:
    """The settings, or a French refusal (exit 2) naming what is wrong."""
    try:
        return get_settings()
    except ValidationError as exc:
        reasons = "; ".join(
            str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()
        )
        errors.print(f"[bold red]Configuration refusée :[/] {escape(reasons)}")
        raise typer.Exit(2) from exc


def command_settings() -> Settings:
    """The settings of a command that works on existing data: the configured database,
    else the demo one when only it exists (then in demo mode, as `relais demo` left it)."""
    where = _Location()
    embedded = where.data_dir / EMBEDDED_DATABASE
    demo = demo_database(where.data_dir)
    if not where.database_url and not embedded.exists() and demo.exists():
        os.environ["RELAIS_DATABASE_URL"] = f"sqlite:///{demo}"
        os.environ["RELAIS_DEMO_MODE"] = "true"
        get_settings.cache_clear()
        errors.print(f"Base de démonstration : {demo} (une autre base : RELAIS_DATABASE_URL)",
                     soft_wrap=True)
    return load_settings()


def _refuse(message: str) -> typer.Exit:
    errors.print(f"[bold red]{escape(message)}[/]", soft_wrap=True)  # paths copied whole
    return typer.Exit(2)


def refuse_missing_file(settings: Settings) -> None:
    """Stop (exit 2) when the configured SQLite file is not there: opening it would
    create an empty one."""
    url = make_url(settings.effective_database_url)
    path = url.database or ""
    if url.get_backend_name() == "sqlite" and path not in ("", ":memory:") \
            and not path.startswith("file:") and not Path(path).is_file():
        raise _refuse(f"Aucune base de données à {path} : lancez « relais demo », ou "
                      "indiquez la base avec RELAIS_DATABASE_URL.")


def open_existing(settings: Settings) -> Engine:
    """An engine on the configured database, which must exist and be at the latest
    migration: never created nor migrated here (French refusal, exit 2, otherwise)."""
    from crm_core.database.engine import make_engine
    from crm_core.database.migrate import current_revision, head_revision

    url = make_url(settings.effective_database_url)
    refuse_missing_file(settings)
    engine = make_engine(settings.effective_database_url)
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise _refuse(f"Base de données injoignable ({type(exc).__name__}) : vérifiez "
                      "RELAIS_DATABASE_URL.") from exc
    if revision != head_revision():
        engine.dispose()
        if revision is None:
            raise _refuse(f"Aucune base Relais dans {url.render_as_string()} (base vide) : "
                          "lancez « relais db upgrade » ou « relais demo ».")
        raise _refuse("La base n'est pas à jour. Lancez : relais db upgrade")
    return engine


@contextmanager
def existing_database() -> Iterator[tuple[Engine, Session]]:
    """The engine and a session on the existing database this command works on."""
    from crm_core.database.engine import make_session_factory

    engine = open_existing(command_settings())
    try:
        with make_session_factory(engine)() as db_session:
            yield engine, db_session
    finally:
        engine.dispose()


@contextmanager
def existing_session() -> Iterator[Session]:
    with existing_database() as (_, db_session):
        yield db_session
