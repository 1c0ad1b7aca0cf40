"""An online account (provider and subject) is checked the same way at every way in:
fourth outside test of issue 20, where a subject took any character and a blank one
found its resident by lookup."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.residents.accounts import provider_problem, same_provider, subject_problem
from crm_core.residents.models import AccountLink
from tests.crm_core.test_text import IDENTIFIER_REFUSED

Headers = Callable[[Role], dict[str, str]]


@pytest.mark.parametrize("provider", ["", "f z", "fz\u200b", "\u3164", "٢٠١", "ｆｚ", "é",
                                      "x" * 51])
def test_a_provider_is_a_short_ascii_code(provider: str) -> None:
    assert provider_problem(provider) is not None, ascii(provider)


def test_good_accounts_pass() -> None:
    assert provider_problem("compte-unique") is None
    assert provider_problem("fc.v2_x") is None
    assert subject_problem("a1b2c3") is None
    assert subject_problem("x" * 256) is not None


@pytest.mark.parametrize("subject", [s for s in IDENTIFIER_REFUSED if s])
def test_a_hostile_subject_is_a_french_422_and_nothing_linked(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    subject: str,
) -> None:
    resident = factories.ResidentFactory()
    response = client.post(f"/api/v1/residents/{resident.id}/account-links",
                           headers=as_role(Role.PHONE),
                           json={"provider": "fz", "subject": subject})
    assert response.status_code == 422, (ascii(subject), response.text)
    assert "identifiant" in response.text
    assert db_session.scalar(select(func.count()).select_from(AccountLink)) == 0


def test_a_hostile_provider_is_a_french_422(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    resident = factories.ResidentFactory()
    response = client.post(f"/api/v1/residents/{resident.id}/account-links",
                           headers=as_role(Role.PHONE),
                           json={"provider": "f\u3164z", "subject": "abc"})
    assert response.status_code == 422, response.text
    assert "fournisseur invalide" in response.text


@pytest.mark.parametrize("account", ["fz:\u3164", "fz:a\u202eb", "fz:a b", "f\u3164:abc",
                                     "fz:\u0301"])
def test_a_lookup_by_a_hostile_account_is_a_french_422(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    account: str,
) -> None:
    """Even a link stored before the rule (`fz:ㅤ`) is not found by a blank subject."""
    provider, _, subject = account.partition(":")
    resident = factories.ResidentFactory()
    db_session.add(AccountLink(resident_id=resident.id, provider=provider, subject=subject))
    db_session.flush()
    headers = as_role(Role.PHONE)
    for response in (client.post("/api/v1/lookup", headers=headers, json={"account": account}),
                     client.get("/api/v1/lookup", headers=headers, params={"account": account})):
        assert response.status_code == 422, (ascii(account), response.text)
        assert "Compte en ligne invalide" in response.json()["detail"]


def test_a_provider_is_case_insensitive_at_every_way_in(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
) -> None:
    """Issue 20, fifth outside test: « Compte-Unique » linked a subject already linked to
    another resident under « compte-unique », and lookups by the two spellings differed."""
    owner, other = factories.ResidentFactory(), factories.ResidentFactory()
    headers = as_role(Role.PHONE)
    linked = client.post(f"/api/v1/residents/{owner.id}/account-links", headers=headers,
                         json={"provider": "Compte-Unique", "subject": "S-1"})
    assert linked.status_code == 201, linked.text
    assert db_session.scalar(select(AccountLink.provider)) == "compte-unique"
    for spelling in ("compte-unique", "COMPTE-UNIQUE"):
        again = client.post(f"/api/v1/residents/{other.id}/account-links", headers=headers,
                            json={"provider": spelling, "subject": "S-1"})
        assert again.status_code == 409, again.text
    for account in ("compte-unique:S-1", "Compte-Unique:S-1"):
        found = client.post("/api/v1/lookup", headers=headers, json={"account": account})
        assert found.status_code == 200, found.text
        assert found.json()["resident"]["id"] == str(owner.id)


def test_a_provider_is_compared_with_plain_equality_on_the_index() -> None:
    """`lower(provider)` kept every lookup off the unique index on (provider, subject);
    migration 0022 lower-cased the links stored before, so the lookup compares the stored
    lower case as is (tests/crm_core/database/test_migration_0022.py)."""
    condition = same_provider(AccountLink.provider, "Compte-Unique")
    sql = str(condition.compile(compile_kwargs={"literal_binds": True})).lower()
    assert "lower(" not in sql and "'compte-unique'" in sql, sql
