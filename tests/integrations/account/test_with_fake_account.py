"""The sign-in logic with the fake online account (the real one: tests/integrations/oidc)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.account.router import online_account
from integrations.models import OidcLogin
from tests.support.fakes.account import FakeOnlineAccount


def test_the_fake_stands_in_for_the_provider(
    app: FastAPI, client: TestClient, db_session: Session
) -> None:
    fake = FakeOnlineAccount(codes={"code-1": {
        "sub": "s-1", "given_name": "Inès", "family_name": "Benali",
        "birthdate": "1990-06-15", "email": "ines@example.fr", "email_verified": False}})
    app.dependency_overrides[online_account] = lambda: fake
    start = client.get("/integrations/account/login", follow_redirects=False)
    assert start.status_code == 302
    [issued] = fake.issued
    assert len(issued["code_verifier"]) >= 43
    answer = client.get("/integrations/account/callback",
                        params={"state": issued["state"], "code": "code-1"}).json()
    assert answer["outcome"] == "created"
    assert db_session.scalar(select(OidcLogin)) is None  # the state is spent


def test_an_unconfigured_online_account_is_a_clear_error(client: TestClient) -> None:
    response = client.get("/integrations/account/login", follow_redirects=False)
    assert (response.status_code, response.json()["code"]) == (503, "oidc_not_configured")
