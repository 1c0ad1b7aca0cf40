from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.config import Settings
from crm_core.space.sessions import COOKIE, start_session

SignIn = Callable[[uuid.UUID | None], str]


@pytest.fixture
def sign_in_as(client: TestClient, db_session: Session) -> SignIn:
    """sign_in_as(resident_id) -> the session's CSRF token; the client carries the cookie.
    The session is made as the online-account callback makes it (tested on its own in
    tests/integrations/oidc/test_space_sign_in.py against the real provider)."""

    def sign_in(resident_id: uuid.UUID | None) -> str:
        token, _ = start_session(db_session=db_session, settings=Settings(),
                                 resident_id=resident_id, provider="compte-unique",
                                 subject=f"sub-{uuid.uuid4().hex[:8]}")
        db_session.commit()  # a savepoint: the test's transaction is still rolled back
        client.cookies.set(COOKIE, token)
        return csrf_of(client.get("/espace/demandes").text)

    return sign_in


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]*)"', page)
    assert found is not None, page[:500]
    return found.group(1)
