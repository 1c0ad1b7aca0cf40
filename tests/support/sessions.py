"""An application under test writes through the test's session (rolled back after it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import nullcontext

from fastapi import FastAPI
from sqlalchemy.orm import Session

from crm_core.api.deps import get_db
from crm_core.api.unit_of_work import request_transaction
from integrations.inbound.acks import InboxAcks, ThreadedStore, inbox_acks


def use_test_session(application: FastAPI, db_session: Session) -> FastAPI:
    """Every request, and the webhook acknowledgements written in groups, use `db_session`:
    what the request commits is a savepoint of the test's transaction, in the same unit of
    work as in production (committed as the route returns, rolled back on error)."""
    acks = InboxAcks(ThreadedStore(lambda: nullcontext(db_session)))

    async def test_db() -> AsyncIterator[Session]:
        # What the test wrote before the request (flushed by the factories) is committed
        # for it, as another connection's data would be: a request rolled back drops only
        # its own writes.
        if db_session.in_transaction():
            db_session.commit()
        async with request_transaction(db_session):
            yield db_session

    application.dependency_overrides[get_db] = test_db
    application.dependency_overrides[inbox_acks] = lambda: acks
    return application
