"""What a platform's event may carry about the resident (`integrations.inbound.schemas`):
refused in French with the field named, never taken silently (issue 20, fourth outside
test)."""

from __future__ import annotations

from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.cases.models import Case
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from tests.integrations.conftest import event_body, post_signed

pytestmark = pytest.mark.usefixtures("portal")


@pytest.fixture(autouse=True)
def _service(factories: ModuleType) -> None:
    factories.ServiceFactory(code="etat-civil", label="État civil")


def _nothing_written(db_session: Session) -> None:
    for model in (Case, Resident, AccountLink):
        assert db_session.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.parametrize("account", [
    {"subject": "s\u2066x\u202e"}, {"subject": "\u3164"}, {"subject": "a b"},
    {"subject": "a\ufe0f"}, {"provider": "f\u200bz", "subject": "abc"},
])
def test_a_hostile_account_is_a_malformed_event(
    client: TestClient, db_session: Session, account: dict[str, str]
) -> None:
    response = post_signed(client, "portail", event_body(account=account))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "malformed_event"
    assert "account" in response.json()["detail"]
    _nothing_written(db_session)


def test_a_plain_account_still_links(client: TestClient, db_session: Session) -> None:
    response = post_signed(client, "portail", event_body(account={"subject": "sub-42"}))
    assert response.status_code == 200, response.text
    assert db_session.scalars(select(AccountLink.subject)).all() == ["sub-42"]


def test_an_email_with_an_invisible_mark_is_kept_cleaned(
    client: TestClient, db_session: Session
) -> None:
    """Fourth outside test of issue 20: answered 200 `created`, the e-mail dropped."""
    response = post_signed(client, "portail", event_body(email="camille\u200b@exemple.fr"))
    assert response.status_code == 200, response.text
    assert db_session.scalars(select(ContactPoint.value)).all() == ["camille@exemple.fr"]


@pytest.mark.parametrize(("field", "value"), [
    ("email", "camille@"), ("email", "camille arobase exemple.fr"), ("phone", "12"),
    ("phone", "06 12"),
])
def test_an_unusable_email_or_phone_is_refused_by_name(
    client: TestClient, db_session: Session, field: str, value: str
) -> None:
    response = post_signed(client, "portail", event_body(**{field: value}))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "malformed_event"
    assert field in response.json()["detail"]
    _nothing_written(db_session)
