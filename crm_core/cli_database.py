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
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from pydantic import Field, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError
from rich.console import Console
from rich.markup import escape
from sqlalchemy import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from crm_core.cli_exits import BAD_INPUT, database_in_use, database_reason
from crm_core.config import Settings, default_data_dir, get_settings
from crm_core.validation_messages import field_of, french_message

DEMO_DATABASE = "demo.db"
DEMO_PUBLIC_URL = "demo-url.txt"  # where `relais demo` serves: links in reminders
EMBEDDED_DATABASE = "relais.db"
# Demo only: a known PBX secret, so that `relais phone ring --demo` can play the PBX.
DEMO_PBX_SECRETS = "pbx-demo:demo-pbx-secret-not-for-production"
errors = Console(stderr=True)


class _Location(BaseSettings):
    """Where the settings point, read the same way as `Settings` but without its checks
    (the demo fallback must be decided before the secret is)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_", env_file=".env", extra="ignore")
    database_url: str | None = None
    public_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)


def demo_database(data_dir: Path) -> Path:
    return data_dir / DEMO_DATABASE


def demo_public_url(*, data_dir: Path, host: str, port: int) -> str:
    """Where residents reach the demo, set for `relais demo` and noted beside its database:
    the commands run later on it (`relais reminders send`) link to the port it serves on,
    not to the default 8000. An explicit RELAIS_PUBLIC_URL wins."""
    where = _Location()
    if where.public_url:
        url = where.public_url
    else:
        shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104
        url = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
        os.environ["RELAIS_PUBLIC_URL"] = url
        get_settings.cache_clear()
    # Made here, the folder is the agent's only: the demo database goes in it (issue 19).
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # 0600 like demo.db, whatever the umask; one an earlier version left 0644 is narrowed.
    fd = os.open(data_dir / DEMO_PUBLIC_URL, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as noted:
        os.fchmod(fd, 0o600)
        noted.write(url + "\n")
    return url


def _demo_public_url(where: _Location) -> None:
    """The demo's own address for a command that falls back to its database."""
    noted = where.data_dir / DEMO_PUBLIC_URL
    if not where.public_url and noted.is_file():
        os.environ["RELAIS_PUBLIC_URL"] = noted.read_text(encoding="utf-8").strip()


def _setting_problem(error: ErrorDetails) -> str:
    where = field_of(error)
    message = french_message(error)
    if not where:
        return message
    # Only the variable is upper case: a source's name (« p » in
    # RELAIS_WEBHOOK_SOURCES.p.secret) is said as the admin typed it.
    variable, dot, rest = where.partition(".")
    named = f"RELAIS_{variable.upper()}{dot}{rest}"
    # A validator of ours may already name the variable: once is enough.
    return f"{named} : {message.removeprefix(named + ' : ')}"


def _unreadable_setting(exc: SettingsError) -> str:
    """pydantic-settings' English « error parsing value for field "x" from source … »
    (a JSON variable that is not JSON), said in French."""
    match = re.search(r'field "([^"]+)"', str(exc))
    variable = f"RELAIS_{match.group(1).upper()}" if match else "une variable RELAIS_*"
    return f"{variable} : valeur illisible (JSON attendu)"


def _refuse_settings(reasons: str) -> typer.Exit:
    errors.print(f"[bold red]Configuration refusée :[/] {escape(reasons)}", soft_wrap=True)
    return typer.Exit(BAD_INPUT)


def load_settings() -> Settings:
    """The settings, or a French refusal (exit 2) naming what is wrong."""
    try:
        settings = get_settings()
    except ValidationError as exc:
        raise _refuse_settings("; ".join(map(_setting_problem, exc.errors()))) from exc
    except SettingsError as exc:
        raise _refuse_settings(_unreadable_setting(exc)) from exc
    url = _parsed(settings.effective_database_url)
    database_in_use(url.host or url.database or "")  # never the password
    if settings.database_url:
        _refuse_missing_folder(url)
    return settings


def _refuse_missing_folder(url: URL) -> None:
    """An explicit SQLite file whose folder is not there: a typo to fix (exit 2), never a
    folder created silently. The default data directory is created on first run."""
    path = url.database or ""
    if url.get_backend_name() != "sqlite" or path in ("", ":memory:") \
            or path.startswith("file:"):
        return
    folder = Path(path).expanduser().parent
    if not folder.is_dir():
        raise _refuse(f"Dossier introuvable pour la base de données : {folder} "
                      "(RELAIS_DATABASE_URL) : créez-le, ou corrigez le chemin.")


def prepare_database(settings: Settings) -> None:
    """SQLite is created and migrated on first run; PostgreSQL must be migrated explicitly."""
    from crm_core.database.engine import make_engine
    from crm_core.database.migrate import current_revision, head_revision, upgrade

    engine = make_engine(settings.effective_database_url)
    try:
        if engine.dialect.name == "sqlite":
            upgrade(engine)
        elif current_revision(engine) != head_revision():
            errors.print(
                "[bold red]La base PostgreSQL n'est pas à jour.[/] Lancez : relais db upgrade"
            )
            raise typer.Exit(BAD_INPUT)
    finally:
        engine.dispose()


def command_settings() -> Settings:
    """The settings of a command that works on existing data: the configured database,
    else the demo one when only it exists (then in demo mode, as `relais demo` left it).
    A database that is not there is said before any other setting is checked: "no
    database here" is what the operator needs to read, not "set a secret"."""
    where = _fall_back_to_demo()
    refuse_missing_url(where.database_url or f"sqlite:///{where.data_dir / EMBEDDED_DATABASE}")
    return load_settings()


def creating_settings() -> Settings:
    """The settings of a command that may create its database (`relais agent add`): the
    demo's when only it exists, as for the commands above, so that an agent added right
    after `relais demo` can sign in to it."""
    _fall_back_to_demo()
    return load_settings()


def _fall_back_to_demo() -> _Location:
    where = _Location()
    embedded = where.data_dir / EMBEDDED_DATABASE
    demo = demo_database(where.data_dir)
    if not where.database_url and not embedded.exists() and demo.exists():
        os.environ["RELAIS_DATABASE_URL"] = f"sqlite:///{demo}"
        os.environ["RELAIS_DEMO_MODE"] = "true"
        _demo_public_url(where)
        get_settings.cache_clear()
        errors.print(f"Base de démonstration : {demo} (une autre base : RELAIS_DATABASE_URL)",
                     soft_wrap=True)
        where = _Location()
    return where


def _refuse(message: str) -> typer.Exit:
    errors.print(f"[bold red]{escape(message)}[/]", soft_wrap=True)  # paths copied whole
    return typer.Exit(BAD_INPUT)


def _parsed(url_text: str) -> URL:
    """The URL, or a French refusal for one no engine here can open."""
    try:
        url = make_url(url_text)
        url.get_dialect()  # an unknown scheme (foo://) fails here, not at connection time
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise _refuse(f"RELAIS_DATABASE_URL illisible : {url_text!r} (attendu : "
                      "sqlite:///chemin/relais.db ou postgresql://…)") from exc
    return url


def refuse_missing_url(url_text: str) -> None:
    """Stop (exit 2) when the URL cannot be opened, or its SQLite file is not there or
    empty: opening it would create a database (or turn the empty file into one)."""
    url = _parsed(url_text)
    path = url.database or ""
    if url.get_backend_name() != "sqlite" or path.startswith("file:"):
        return
    if path in ("", ":memory:"):
        raise _refuse(f"{url_text} est une base en mémoire, vide à chaque lancement : il n'y a"
                      " rien à lire. Indiquez un fichier : sqlite:///chemin/relais.db.")
    if not Path(path).is_file():
        raise _refuse(f"Aucune base de données à {path} : lancez « relais demo », ou "
                      "indiquez la base avec RELAIS_DATABASE_URL.")
    if Path(path).stat().st_size == 0:
        raise _refuse(f"Aucune base Relais dans {path} (fichier vide) : lancez "
                      "« relais db upgrade » ou « relais demo ».")


def refuse_missing_file(settings: Settings) -> None:
    refuse_missing_url(settings.effective_database_url)


def open_existing(settings: Settings) -> Engine:
    """An engine on the configured database, which must exist and be at the latest
    migration: never created nor migrated here (French refusal, exit 2, otherwise)."""
    from crm_core.database.engine import make_engine
    from crm_core.database.migrate import current_revision, head_revision

    refuse_missing_file(settings)
    url = _parsed(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise _refuse(f"Base de données injoignable ({url.host or url.database}) : "
                      f"{database_reason(exc)} Vérifiez RELAIS_DATABASE_URL.") from exc
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

    settings = command_settings()
    engine = open_existing(settings)
    try:  # the settings in each session, for flush listeners (the outbox's)
        with make_session_factory(engine, settings.session_info())() as db_session:
            yield engine, db_session
    finally:
        engine.dispose()


@contextmanager
def existing_session() -> Iterator[Session]:
    with existing_database() as (_, db_session):
        yield db_session
