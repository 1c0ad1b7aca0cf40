"""Engine and session factory for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, StaticPool

from crm_core.database.local_days import sqlite_local_date


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Take transaction control away from pysqlite (it breaks SAVEPOINTs); see _sqlite_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # SQLite has no time-zone database: the reports' local days come from Python (zoneinfo).
    dbapi_connection.create_function("relais_local_date", 2, sqlite_local_date,
                                     deterministic=True)


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front: nearly every request writes (the access log),
    # and a deferred transaction that must upgrade its lock fails instead of waiting.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = {"check_same_thread": False, "timeout": 10}
        if parsed.database in (None, "", ":memory:"):
            # In memory, each connection would be a database of its own (and SQLAlchemy
            # then picks a pool without a size): one connection, shared, is the database.
            engine = create_engine(url, echo=echo, connect_args=connect_args,
                                   poolclass=StaticPool)
        else:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, echo=echo, connect_args=connect_args,
                                   pool_size=pool_size, max_overflow=pool_size)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    # UTC sessions: JSON built by the database (the summary) spells instants in UTC, as
    # the application does.
    engine = create_engine(
        parsed, echo=echo, pool_size=pool_size, max_overflow=pool_size,
        connect_args={"options": "-c TimeZone=UTC"},
    )
    event.listen(engine, "checkout", _idle_pinger(engine.dialect))
    event.listen(engine, "checkin", _note_last_use)
    return engine


IDLE_PING_SECONDS = 10.0


def _note_last_use(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["last_used"] = time.monotonic()


def _idle_pinger(dialect: Dialect) -> Any:
    def ping_if_idle(
        dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        """`pool_pre_ping` for connections that sat idle, not for every request.

        A ping per checkout is one more round trip on every request. A connection used in
        the last seconds is very likely alive; one that sat in the pool may have been cut
        (server restart, idle timeout), so it is checked first and replaced if dead. A hot
        connection killed by a restart fails its one request (503, retried by clients) and
        SQLAlchemy then renews the whole pool."""
        last = record.info.get("last_used")
        if last is None or time.monotonic() - last < IDLE_PING_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as dead:  # any failure: let the pool reconnect
            raise DisconnectionError("idle connection is dead") from dead

    return ping_if_idle


def make_session_factory(engine: Engine, info: dict[str, Any] | None = None
                         ) -> sessionmaker[Session]:
    """`info`: what each session starts with in `session.info` (`Settings.session_info()`,
    the settings that flush listeners read)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False, info=info)


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
