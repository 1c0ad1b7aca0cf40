"""The identity provider's claims (`integrations.account.claims`): its `sub` becomes an
account link's subject, so it meets the rule of every other way in (issue 20, fourth
outside test)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.residents.models import AccountLink, Resident
from integrations.account.claims import read
from integrations.account.router import online_account
from integrations.exceptions import OidcError
from tests.support.clock import city_day
from tests.support.fakes.account import FakeOnlineAccount


@pytest.mark.parametrize("sub", ["\u3164", "s\u2066x\u202e", "a b", "a\u200db", "\u0301",
                                 "x" * 256])
def test_a_hostile_sub_is_refused_in_french(sub: str) -> None:
    with pytest.raises(OidcError, match="Identifiant \\(sub\\)"):
        read({"sub": sub, "given_name": "Inès", "family_name": "Benali"}, provider="fc",
             today=city_day())


def test_a_hostile_sub_links_nobody(
    app: FastAPI, client: TestClient, db_session: Session
) -> None:
    fake = FakeOnlineAccount(codes={"code-1": {
        "sub": "s\u2066x\u202e", "given_name": "Inès", "family_name": "Benali"}})
    app.dependency_overrides[online_account] = lambda: fake
    client.get("/integrations/account/login", follow_redirects=False)
    [issued] = fake.issued
    answer = client.get("/integrations/account/callback",
                        params={"state": issued["state"], "code": "code-1"})
    assert 400 <= answer.status_code < 500, answer.text
    assert "sub" in answer.json()["detail"]
    for model in (AccountLink, Resident):
        assert db_session.scalar(select(func.count()).select_from(model)) == 0
