"""Demo mode lets a visitor enter the space as a demo resident; nowhere else does."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.app.main import create_app
from crm_core.config import Settings
from crm_core.demo.catalogue import ONLINE_ACCOUNT_PROVIDER
from crm_core.residents.models import AccountLink
from crm_core.space.sessions import COOKIE
from tests.support.sessions import use_test_session


@pytest.fixture
def demo_client(engine: Engine, db_session: Session) -> Iterator[TestClient]:
    application: FastAPI = create_app(Settings(demo_mode=True), engine)
    use_test_session(application, db_session)
    with TestClient(application, raise_server_exceptions=False) as test_client:
        yield test_client


def _demo_resident(db_session: Session, factories: ModuleType) -> str:
    resident = factories.ResidentFactory(given_name="Camille", family_name="Durand")
    db_session.add(AccountLink(resident_id=resident.id, provider=ONLINE_ACCOUNT_PROVIDER,
                               subject="demo-camille"))
    db_session.flush()
    return "demo-camille"


def test_demo_mode_offers_demo_residents_and_enters_their_space(
    demo_client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    subject = _demo_resident(db_session, factories)
    page = demo_client.get("/espace/connexion").text
    assert "Entrer comme Camille Durand" in page and f'value="{subject}"' in page
    entered = demo_client.post("/espace/demo/connexion", data={"subject": subject},
                               follow_redirects=False)
    assert entered.status_code == 303 and entered.headers["location"] == "/espace/"
    assert COOKIE in entered.cookies
    home = demo_client.get("/espace/")
    assert home.status_code == 200 and "Camille" in home.text
    unknown = demo_client.post("/espace/demo/connexion", data={"subject": "personne"})
    assert unknown.status_code == 404


def test_outside_demo_mode_there_is_no_demo_entrance(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    subject = _demo_resident(db_session, factories)
    assert "Entrer comme" not in client.get("/espace/connexion").text
    refused = client.post("/espace/demo/connexion", data={"subject": subject},
                          follow_redirects=False)
    # Outside demo mode the address is one like any other that does not exist here.
    nowhere = client.post("/espace/nulle-part/connexion", data={"subject": subject},
                          follow_redirects=False)
    assert refused.status_code == nowhere.status_code >= 400
    assert COOKIE not in refused.cookies
    # Not refused at run time: outside demo mode the demo's pages are not mounted at all.
    assert not any(getattr(route, "path", "").startswith("/espace/demo")
                   for route in client.app.routes)  # type: ignore[attr-defined]
