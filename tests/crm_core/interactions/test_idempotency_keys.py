"""Idempotency keys of exchanges (and cases): whose they are, what they may hold, and
which differences a retry may carry (outside look at issue 21)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.cases.models import Case
from crm_core.interactions.models import Interaction

Headers = Callable[[Role], dict[str, str]]


def _count(db_session: Session, resident_id: object) -> int:
    return db_session.scalar(select(func.count()).select_from(Interaction).where(
        Interaction.resident_id == resident_id)) or 0


def test_another_agents_key_is_refused_even_with_the_same_content(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    """A replay by another agent was answered with the first agent's record; a supervisor
    may still relay an agent's offline work under its key (the counter's journal)."""
    resident = factories.ResidentFactory()
    payload = {"resident_id": str(resident.id), "outcome": "informed",
               "note": "Visite", "idempotency_key": "counter-shared-0001"}
    first = client.post("/api/v1/interactions", headers=as_role(Role.COUNTER), json=payload)
    assert first.status_code == 201, first.text
    other = client.post("/api/v1/interactions", headers=as_role(Role.COUNTER), json=payload)
    assert other.status_code == 422, other.text
    assert other.json()["code"] == "idempotency_key_reused"
    assert "un autre agent" in other.json()["detail"]
    assert str(resident.id) not in other.text and first.json()["id"] not in other.text
    relayed = client.post("/api/v1/interactions", headers=as_role(Role.SUPERVISOR),
                          json=payload | {"channel": "counter"})
    assert relayed.status_code == 200, relayed.text
    assert relayed.json()["id"] == first.json()["id"]
    assert _count(db_session, resident.id) == 1


@pytest.mark.parametrize("key", ["        ", "\u200b" * 9, "\u3000" * 8, "journal 0001"])
def test_a_key_without_visible_characters_or_with_a_space_is_refused(
    client: TestClient, factories: ModuleType, as_role: Headers, key: str
) -> None:
    resident = factories.ResidentFactory()
    answer = client.post("/api/v1/interactions", headers=as_role(Role.COUNTER), json={
        "resident_id": str(resident.id), "outcome": "informed", "idempotency_key": key})
    assert answer.status_code == 422, answer.text
    assert "identifiant" in answer.json()["detail"]


def test_a_short_key_says_how_long_it_must_be(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    resident = factories.ResidentFactory()
    answer = client.post("/api/v1/interactions", headers=as_role(Role.COUNTER), json={
        "resident_id": str(resident.id), "outcome": "informed", "idempotency_key": "abc"})
    assert answer.status_code == 422, answer.text
    assert "au moins 8 caractères" in answer.json()["detail"]


@pytest.mark.parametrize(("stored", "sent"), [
    ("", None), (None, ""),
    ("Réclamation", unicodedata.normalize("NFD", "Réclamation")),
])
def test_a_retry_with_the_same_text_written_otherwise_is_a_replay(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    stored: str | None, sent: str | None,
) -> None:
    headers = as_role(Role.COUNTER)
    resident = factories.ResidentFactory()
    payload = {"resident_id": str(resident.id), "outcome": "informed",
               "idempotency_key": "counter-text-0001"}
    first = client.post("/api/v1/interactions", headers=headers,
                        json=payload | {"note": stored})
    again = client.post("/api/v1/interactions", headers=headers, json=payload | {"note": sent})
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert _count(db_session, resident.id) == 1


@pytest.mark.parametrize(("stored", "sent"), [
    ("", None), ("Devant l'école", unicodedata.normalize("NFD", "Devant l'école")),
])
def test_a_case_retry_with_the_same_description_written_otherwise_is_a_replay(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers,
    stored: str | None, sent: str | None,
) -> None:
    factories.ServiceFactory(code="voirie", label="Voirie", announced_delay_days=7)
    headers = as_role(Role.COUNTER)
    resident = factories.ResidentFactory()
    payload = {"resident_id": str(resident.id), "service_code": "voirie",
               "subject": "Trou", "idempotency_key": "counter-case-0001"}
    first = client.post("/api/v1/cases", headers=headers, json=payload | {"description": stored})
    again = client.post("/api/v1/cases", headers=headers, json=payload | {"description": sent})
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert db_session.scalar(select(func.count()).select_from(Case).where(
        Case.resident_id == resident.id)) == 1


def test_a_key_spelt_composed_or_decomposed_is_one_key_counted_as_seen(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    """Third outside look at issue 21: the NFC and NFD spellings made two records, and the
    8-character minimum was counted on the decomposed form."""
    headers = as_role(Role.COUNTER)
    resident = factories.ResidentFactory()
    payload = {"resident_id": str(resident.id), "outcome": "informed", "note": "Visite"}
    composed = "clé-été-01"
    first = client.post("/api/v1/interactions", headers=headers,
                        json=payload | {"idempotency_key": composed})
    again = client.post("/api/v1/interactions", headers=headers, json=payload | {
        "idempotency_key": unicodedata.normalize("NFD", composed)})
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert first.json()["id"] == again.json()["id"]
    assert _count(db_session, resident.id) == 1
    short = unicodedata.normalize("NFD", "éééé-01")  # 7 seen, 11 code points
    answer = client.post("/api/v1/interactions", headers=headers,
                         json=payload | {"idempotency_key": short})
    assert answer.status_code == 422, answer.text
    assert "au moins 8 caractères" in answer.json()["detail"]


def test_an_ideographic_space_in_a_key_is_named_not_shown(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    resident = factories.ResidentFactory()
    answer = client.post("/api/v1/interactions", headers=as_role(Role.COUNTER), json={
        "resident_id": str(resident.id), "outcome": "informed",
        "idempotency_key": "journal\u30000001"})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert "U+3000 (espace idéographique)" in detail and "\u3000" not in detail
