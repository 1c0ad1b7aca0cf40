"""The pool checks connections that sat idle, and only those (a ping is a round trip)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from crm_core.database import engine as engine_module
from crm_core.database.engine import make_engine


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_an_idle_connection_cut_by_the_server_is_replaced_unseen(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to cut a connection")
    pooled = make_engine(engine.url.render_as_string(hide_password=False), pool_size=1)
    try:
        first = _backend_pid(pooled)
        with engine.connect() as admin:  # the server ends it, as a restart would
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)  # it has sat idle
        second = _backend_pid(pooled)
        assert second != first
    finally:
        pooled.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the ping is PostgreSQL's")
    pooled = make_engine(engine.url.render_as_string(hide_password=False), pool_size=1)
    pings: list[object] = []
    original = pooled.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return original(dbapi_connection)

    monkeypatch.setattr(pooled.dialect, "do_ping", counted)
    try:
        for _ in range(3):
            _backend_pid(pooled)
        assert pings == []
    finally:
        pooled.dispose()


def test_an_in_memory_sqlite_database_is_one_shared_connection() -> None:
    # create_engine refused pool_size/max_overflow for it (a TypeError, not a database).
    from crm_core.database.migrate import current_revision, head_revision, upgrade

    for url in ("sqlite://", "sqlite:///:memory:"):
        memory = make_engine(url)
        try:
            upgrade(memory)  # migrated on one connection, read on another: the same base
            assert current_revision(memory) == head_revision()
        finally:
            memory.dispose()
