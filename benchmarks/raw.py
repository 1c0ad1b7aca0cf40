"""The summary and lookups as hand-written SQL on the bare DBAPI connection: the floor
against which the API's cost is reported."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

SUMMARY = [
    "SELECT id, given_name, family_name, birth_name, birth_date, address_line, postal_code,"
    " city, insee_code, status, created_at FROM resident WHERE id = %(id)s",
    "SELECT id, kind, value, label, verified, contact_allowed FROM contact_point"
    " WHERE resident_id = %(id)s ORDER BY kind, created_at",
    'SELECT c.reference, c.status, c.kind, c.origin_channel, c.subject, c.opened_at,'
    ' c.due_date, c.external_system, c.external_id, s.code, s.label FROM "case" c'
    " JOIN service s ON s.id = c.service_id WHERE c.resident_id = %(id)s"
    " AND c.status IN ('new', 'in_progress', 'waiting_resident', 'resolved')"
    " ORDER BY c.opened_at DESC",
    "SELECT i.id, i.channel, i.direction, i.outcome, i.note, i.occurred_at, c.reference,"
    ' a.display_name, s.name FROM interaction i LEFT JOIN "case" c ON c.id = i.case_id'
    " LEFT JOIN agent a ON a.id = i.agent_id LEFT JOIN site s ON s.id = i.site_id"
    " WHERE i.resident_id = %(id)s ORDER BY i.occurred_at DESC, i.id LIMIT 20",
]
LOOKUP_CONTACT = (
    "SELECT DISTINCT cp.resident_id FROM contact_point cp JOIN resident r"
    " ON r.id = cp.resident_id WHERE cp.kind = %(kind)s AND cp.value = %(value)s"
    " AND r.status = 'active'"
)
LOOKUP_REFERENCE = 'SELECT resident_id FROM "case" WHERE reference = %(value)s'


def _adapt(sql: str, dialect: str) -> str:
    return re.sub(r"%\((\w+)\)s", r":\1", sql) if dialect == "sqlite" else sql


def time_raw(
    engine: Engine, *, kind: str, values: list[Any], count: int
) -> list[float]:
    """Latencies (ms) of `count` executions of one operation on one raw connection."""
    dialect = engine.dialect.name
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        run = _operation(kind, dialect, cursor)
        latencies = []
        for i in range(count):
            began = time.perf_counter()
            run(values[i % len(values)])
            latencies.append((time.perf_counter() - began) * 1000)
        raw.rollback()
        return latencies
    finally:
        raw.close()


def _operation(kind: str, dialect: str, cursor: Any) -> Callable[[Any], None]:
    def as_id(value: uuid.UUID) -> Any:
        return value.hex if dialect == "sqlite" else value

    if kind == "summary":
        statements = [_adapt(sql, dialect) for sql in SUMMARY]

        def summary(resident_id: uuid.UUID) -> None:
            for sql in statements:
                cursor.execute(sql, {"id": as_id(resident_id)})
                cursor.fetchall()

        return summary
    if kind in ("phone", "email"):
        sql = _adapt(LOOKUP_CONTACT, dialect)

        def contact(value: str) -> None:
            cursor.execute(sql, {"kind": kind, "value": value})
            cursor.fetchall()

        return contact
    sql = _adapt(LOOKUP_REFERENCE, dialect)

    def reference(value: str) -> None:
        cursor.execute(sql, {"value": value})
        cursor.fetchall()

    return reference
