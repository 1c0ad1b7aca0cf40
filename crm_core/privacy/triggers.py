"""Database triggers that keep the access log append-only, on both engines.

UPDATE is refused on the log, its hash chain and the purge records; DELETE is refused
except for the rows and links a retention purge record covers (the purge writes that
record first). On PostgreSQL TRUNCATE is refused too. Used by migration 0007, and by any
later migration that rebuilds one of these tables (SQLite's batch mode copies a table,
which drops its triggers: such a migration must call `create` again).
"""

from __future__ import annotations

from sqlalchemy import Connection

_SQLITE = {
    "trg_access_log_no_update": (
        "CREATE TRIGGER trg_access_log_no_update BEFORE UPDATE ON access_log"
        " BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"
    ),
    "trg_access_log_no_delete": (
        "CREATE TRIGGER trg_access_log_no_delete BEFORE DELETE ON access_log"
        " WHEN NOT EXISTS (SELECT 1 FROM access_log_seal s WHERE s.log_id = OLD.id"
        " AND s.seq <= (SELECT MAX(up_to_seq) FROM audit_purge))"
        " BEGIN SELECT RAISE(ABORT, 'access_log rows leave only by the retention purge'); END"
    ),
    "trg_access_log_seal_no_update": (
        "CREATE TRIGGER trg_access_log_seal_no_update BEFORE UPDATE ON access_log_seal"
        " BEGIN SELECT RAISE(ABORT, 'access_log_seal is append-only'); END"
    ),
    "trg_access_log_seal_no_delete": (
        "CREATE TRIGGER trg_access_log_seal_no_delete BEFORE DELETE ON access_log_seal"
        " WHEN OLD.seq > COALESCE((SELECT MAX(up_to_seq) FROM audit_purge), 0)"
        " BEGIN SELECT RAISE(ABORT, 'access_log_seal links leave only by the purge'); END"
    ),
    "trg_audit_purge_no_update": (
        "CREATE TRIGGER trg_audit_purge_no_update BEFORE UPDATE ON audit_purge"
        " BEGIN SELECT RAISE(ABORT, 'audit_purge is append-only'); END"
    ),
    "trg_audit_purge_no_delete": (
        "CREATE TRIGGER trg_audit_purge_no_delete BEFORE DELETE ON audit_purge"
        " BEGIN SELECT RAISE(ABORT, 'audit_purge is append-only'); END"
    ),
}

_PG_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION relais_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only',
            ERRCODE = '55000';
    END $$""",
    """CREATE OR REPLACE FUNCTION relais_access_log_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM access_log_seal s WHERE s.log_id = OLD.id
                   AND s.seq <= (SELECT MAX(up_to_seq) FROM audit_purge)) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'access_log rows leave only by the retention purge'
            USING ERRCODE = '55000';
    END $$""",
    """CREATE OR REPLACE FUNCTION relais_access_log_seal_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.seq <= COALESCE((SELECT MAX(up_to_seq) FROM audit_purge), 0) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'access_log_seal links leave only by the purge'
            USING ERRCODE = '55000';
    END $$""",
)

_PG_TRIGGERS = {
    "trg_access_log_no_update": ("access_log", "BEFORE UPDATE", "ROW", "relais_refuse_change"),
    "trg_access_log_no_delete": ("access_log", "BEFORE DELETE", "ROW",
                                 "relais_access_log_delete"),
    "trg_access_log_no_truncate": ("access_log", "BEFORE TRUNCATE", "STATEMENT",
                                   "relais_refuse_change"),
    "trg_access_log_seal_no_update": ("access_log_seal", "BEFORE UPDATE", "ROW",
                                      "relais_refuse_change"),
    "trg_access_log_seal_no_delete": ("access_log_seal", "BEFORE DELETE", "ROW",
                                      "relais_access_log_seal_delete"),
    "trg_access_log_seal_no_truncate": ("access_log_seal", "BEFORE TRUNCATE", "STATEMENT",
                                        "relais_refuse_change"),
    "trg_audit_purge_no_change": ("audit_purge", "BEFORE UPDATE OR DELETE", "ROW",
                                  "relais_refuse_change"),
    "trg_audit_purge_no_truncate": ("audit_purge", "BEFORE TRUNCATE", "STATEMENT",
                                    "relais_refuse_change"),
}


def create(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for function in _PG_FUNCTIONS:
            connection.exec_driver_sql(function)
        for name, (table, when, level, function) in _PG_TRIGGERS.items():
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name} {when} ON {table} FOR EACH {level}"
                f" EXECUTE FUNCTION {function}()"
            )
        return
    for name, statement in _SQLITE.items():
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(statement)


def drop(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for name, (table, *_rest) in _PG_TRIGGERS.items():
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in ("relais_refuse_change", "relais_access_log_delete",
                         "relais_access_log_seal_delete"):
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}()")
        return
    for name in _SQLITE:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
