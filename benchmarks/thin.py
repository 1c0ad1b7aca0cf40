"""The "thin endpoint" of the issue, for the ratio: FastAPI running the raw summary SQL on
a plain DBAPI connection per thread — no ORM, no authentication, no access log."""

from __future__ import annotations

import os
import threading
import uuid
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from benchmarks.raw import SUMMARY, _adapt
from crm_core.api.responses import FastJSONResponse
from crm_core.database.engine import make_engine


def create_thin_app() -> FastAPI:
    engine: Engine = make_engine(os.environ["RELAIS_DATABASE_URL"], pool_size=40)
    dialect = engine.dialect.name
    statements = [_adapt(sql, dialect) for sql in SUMMARY]
    local = threading.local()
    app = FastAPI()

    def cursor() -> Any:
        if not hasattr(local, "connection"):
            local.connection = engine.raw_connection()
        return local.connection.cursor()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/summary/{resident_id}", response_class=FastJSONResponse)
    def summary(resident_id: uuid.UUID) -> Any:
        current = cursor()
        key: Any = resident_id.hex if dialect == "sqlite" else resident_id
        parts = []
        for sql in statements:
            current.execute(sql, {"id": key})
            columns = [d[0] for d in current.description]
            parts.append([dict(zip(columns, row, strict=True)) for row in current.fetchall()])
        local.connection.rollback()
        return FastJSONResponse(
            {"resident": parts[0], "contact_points": parts[1], "open_cases": parts[2],
             "recent_interactions": parts[3]}
        )

    return app
