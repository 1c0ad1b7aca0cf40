"""An application under test writes through the test's session (rolled back after it)."""

from __future__ import annotations

from contextlib import nullcontext

from fastapi import FastAPI
from sqlalchemy.orm import Session

from crm_core.api.deps import get_db
from integrations.inbound.acks import InboxAcks, ThreadedStore, inbox_acks


def use_test_session(application: FastAPI, db_session: Session) -> FastAPI:
    """Every request, and the webhook acknowledgements written in groups, use `db_session`:
    what the request commits is a savepoint of the test's transaction."""
    acks = InboxAcks(ThreadedStore(lambda: nullcontext(db_session)))
    application.dependency_overrides[get_db] = lambda: db_session
    application.dependency_overrides[inbox_acks] = lambda: acks
    return application
