"""The inbound path's round-trip budget (speed itself is shown by `relais bench ingest`):
a statement more per webhook is a measurable loss at hundreds of events per second."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from crm_core.residents.models import AccountLink
from tests.integrations.conftest import event_body, post_signed

pytestmark = pytest.mark.usefixtures("portal")
BUDGET_NEW_CASE = 10  # look-up, resident, service, reference, six inserts
BUDGET_UPDATE = 9  # look-up, state, case + history, service, three inserts, state update


def _after_the_creation() -> str:
    """An update's own time, after the creation's (which is stamped on arrival, now): a
    fixed date in the future would turn the update stale once that date has passed."""
    return (datetime.now(UTC) + timedelta(minutes=5)).isoformat()


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def test_a_webhook_costs_a_bounded_number_of_statements(
    client: TestClient, db_session: Session, factories: ModuleType, statements: list[str]
) -> None:
    factories.ServiceFactory(code="etat-civil")
    resident = factories.ResidentFactory()
    db_session.add(AccountLink(resident_id=resident.id, provider="compte-unique",
                               subject="sub-7"))
    db_session.flush()
    db_session.expunge_all()  # as in a server request: nothing loaded yet
    statements.clear()
    body = event_body("D-1", account={"subject": "sub-7"})
    assert post_signed(client, "portail", body, msg_id="m1").status_code == 200
    assert len(statements) <= BUDGET_NEW_CASE, "\n".join(s[:80] for s in statements)
    db_session.expunge_all()
    statements.clear()
    update = event_body("D-1", status="in_progress", account={"subject": "sub-7"},
                        updated_at=_after_the_creation())
    updated = post_signed(client, "portail", update, msg_id="m2")
    assert (updated.status_code, updated.json()["status"]) == (200, "updated")  # not stale
    assert len(statements) <= BUDGET_UPDATE, "\n".join(s[:80] for s in statements)
    statements.clear()
    assert post_signed(client, "portail", body, msg_id="m1").json()["status"] == "duplicate"
    assert len(statements) == 1  # the look-up only
