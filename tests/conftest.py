"""Shared fixtures: the same domain tests run on SQLite and on a real PostgreSQL server.

Each test runs inside a transaction that is rolled back at the end (sessions join it
through savepoints), so tests never see each other's data.
"""

from __future__ import annotations

import contextlib
import gc
import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

os.environ.setdefault("RELAIS_SECRET_KEY", "test-secret-key-that-is-long-enough-for-relais")
os.environ.setdefault("RELAIS_DEMO_MODE", "false")
os.environ.setdefault("RELAIS_API_DOCS", "true")  # the access matrix and the fuzzer read them
# Tests seal the access log themselves; a background sealer would race their transactions.
os.environ.setdefault("RELAIS_AUDIT_SEAL_SECONDS", "0")
# Likewise the reports' journal: tests fold it themselves (or through a report).
os.environ.setdefault("RELAIS_REPORT_FOLD_SECONDS", "0")

from tests.support import clock

clock.start_shift()  # before the product's modules load: RELAIS_TEST_CLOCK, if set

from argon2 import profiles  # noqa: E402

from crm_core.agents import security as password_hashing  # noqa: E402

# Argon2id with its cheapest parameters: every sign-in of the suite (thousands) costs 0.1 ms
# instead of 0.3 s. The product's own parameters are checked in
# tests/crm_core/agents/test_security.py; child processes (the CLI, `relais serve`) keep them.
password_hashing.use_parameters(profiles.CHEAPEST)

from benchmarks.pgcluster import PostgresCluster, PostgresUnavailable, running_cluster  # noqa: E402
from crm_core.app.bootstrap import bootstrap  # noqa: E402
from crm_core.config import get_settings  # noqa: E402
from crm_core.database.engine import make_engine  # noqa: E402
from crm_core.database.migrate import upgrade  # noqa: E402
from tests.support.templates import DatabaseTemplates  # noqa: E402

# What create_app and the `relais` command do first: every rule, hook, listener and model.
bootstrap()

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster | None]:
    """One real PostgreSQL server for the whole run (or RELAIS_TEST_POSTGRES_URL's)."""
    if os.environ.get("RELAIS_TEST_POSTGRES_URL"):
        yield None
        return
    try:
        with running_cluster() as cluster:
            yield cluster
    except PostgresUnavailable as exc:
        if os.environ.get("CI") or os.environ.get("RELAIS_TESTS_REQUIRE_ALL"):
            raise
        pytest.skip(f"PostgreSQL unavailable: {exc}")


def _engine_url(kind: str, cluster: PostgresCluster | None, name: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / (name + '.db')}"
    if cluster is None:
        return os.environ["RELAIS_TEST_POSTGRES_URL"]
    return cluster.create_database(name)


@pytest.fixture(scope="session", params=ENGINES)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database on each engine, shared by the tests of the run."""
    cluster = request.getfixturevalue("postgres_cluster") if request.param != "sqlite" else None
    url = _engine_url(request.param, cluster, "relais_test", tmp_path_factory.mktemp("db"))
    db_engine = make_engine(url)
    upgrade(db_engine)
    yield db_engine
    db_engine.dispose()


@pytest.fixture
def fresh_database_url(
    request: pytest.FixtureRequest, engine: Engine, tmp_path: Path
) -> str:
    """An empty database on the current engine, for migration tests."""
    is_sqlite = engine.dialect.name == "sqlite"
    cluster = None if is_sqlite else request.getfixturevalue("postgres_cluster")
    name = f"relais_fresh_{uuid.uuid4().hex[:12]}"
    return _engine_url(engine.dialect.name, cluster, name, tmp_path)


@pytest.fixture(scope="session")
def database_templates(
    request: pytest.FixtureRequest, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> DatabaseTemplates:
    """Migrated databases to copy, on the current engine (see tests/support/templates.py)."""
    is_sqlite = engine.dialect.name == "sqlite"
    cluster = None if is_sqlite else request.getfixturevalue("postgres_cluster")
    return DatabaseTemplates(engine.dialect.name, cluster, tmp_path_factory.mktemp("templates"))


@pytest.fixture
def migrated_database_url(database_templates: DatabaseTemplates, tmp_path: Path) -> str:
    """A database of its own, migrated to the head, on the current engine."""
    return database_templates.copy("migrated", upgrade, tmp_path)


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False,
        autoflush=False,
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _migrated_with_agents(engine: Engine) -> None:
    from tests.support.live_server import seed_agents

    upgrade(engine)
    seed_agents(engine)


@pytest.fixture
def agents_database_url(database_templates: DatabaseTemplates, tmp_path: Path) -> str:
    """A migrated database of its own with the live server's agents (`seed_agents`)."""
    return database_templates.copy("agents", _migrated_with_agents, tmp_path)


@pytest.fixture
def live_server(agents_database_url: str) -> Iterator[object]:
    """A real server on 127.0.0.1 over its own migrated database, with one agent per role
    (password "secret-pass"). Data written through it is committed, so it never touches the
    rolled-back database of the other tests."""
    from tests.support.live_server import serve

    server_engine = make_engine(agents_database_url)
    with serve(server_engine) as server:
        yield server
    server_engine.dispose()


@pytest.fixture(autouse=True)
def _collect_garbage_after_each_test() -> Iterator[None]:
    """A connection left open is reported by its finaliser, whenever the collector runs:
    collecting after every test pins the warning (an error here) on the test that leaked.
    What survives is then frozen (left out of later collections): a full collection over
    the whole heap of imported libraries cost ~0.5 s a test, most of the suite's time,
    while the garbage of one test is among the objects made since the last freeze."""
    yield
    gc.collect()
    gc.freeze()


# The tests that read the clock (pictures, reports' periods, due dates, queue days, retention
# windows, reminders, session and token expiry, the journeys): `tests/run` runs them again
# on shifted clocks and time zones (`-m clock`). Listed by folder, so that a new test there
# is included without anyone remembering to mark it.
CLOCK_SENSITIVE = (
    "counter_client/", "phone_desk/", "e2e/", "badge/test_token.py",
    "badge/test_printing.py", "crm_core/agents/", "crm_core/badges/", "crm_core/cases/",
    "crm_core/demo/", "crm_core/interactions/", "crm_core/privacy/", "crm_core/queue/",
    "crm_core/reminders/", "crm_core/reports/", "crm_core/residents/", "crm_core/space/",
    "crm_core/telephony/", "crm_core/security/test_retention.py",
    "crm_core/security/test_access_matrix.py", "integrations/",
)
# The two terminal apps talk HTTP: the server's engine under them changes nothing of
# theirs. Their tests still meet two clocks (the real one on PostgreSQL, the New Year one
# on SQLite); the DST-eve run on PostgreSQL leaves them out to keep CI within its time.
WORKSTATION_APPS = ("counter_client/", "phone_desk/")
_TESTS = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.relative_to(_TESTS).as_posix()
        if where.startswith(CLOCK_SENSITIVE):
            item.add_marker(pytest.mark.clock)
        if where.startswith(WORKSTATION_APPS):
            item.add_marker(pytest.mark.workstation_app)
        callspec = getattr(item, "callspec", None)
        kind = callspec.params.get("engine") if callspec else None
        if kind in ENGINES:  # `tests/run` splits the clock's runs by engine
            item.add_marker(getattr(pytest.mark, f"on_{kind}"))


def pytest_report_header(config: pytest.Config) -> str:
    moment = clock.shifted_moment()
    zone = os.environ.get("TZ", "the machine's")
    if moment is None:
        return f"clock: real time, time zone {zone}"
    return f"clock: shifted to {moment.isoformat()} ({clock.SHIFT_VARIABLE}), time zone {zone}"


def pytest_unconfigure(config: pytest.Config) -> None:
    clock.stop_shift()


@pytest.fixture
def picture_clock() -> Iterator[datetime]:
    """The clock set to `clock.PICTURE_MOMENT` and running: pictures and assertions that
    show a date get the same one on any day, at any hour, in any time zone."""
    with clock.starting_at(clock.PICTURE_MOMENT) as moment:
        yield moment


@pytest.fixture
def cleanup() -> Iterator[contextlib.ExitStack]:
    """What a test opens (API clients, journals, print queues) and must close at its end,
    also when it fails: `api = cleanup.enter_context(api_client(server))`. A connection
    left open would fail the test's teardown a second time (ResourceWarning)."""
    with contextlib.ExitStack() as stack:
        yield stack
