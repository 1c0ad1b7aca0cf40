"""A reminder bundle's label and a key date's title are shown to residents and sent in
messages: one visible line, refused in French otherwise, nothing written."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.reminders.models import ReminderBundle, ReminderDate

API = "/api/v1"


def test_bundle_labels_and_date_titles_are_one_visible_line(
    client: TestClient, as_role: Callable[[Role], dict[str, str]], db_session: Session
) -> None:
    admin = as_role(Role.ADMIN)
    refused = client.post(f"{API}/reminder-bundles", headers=admin, json={
        "code": "elections", "label": "Élections\r\nBcc: tous"})
    assert refused.status_code == 422, refused.text
    assert "une ligne" in refused.json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(ReminderBundle)) == 0
    created = client.post(f"{API}/reminder-bundles", headers=admin, json={
        "code": "elections", "label": "Élections"})
    assert created.status_code == 201, created.text
    title = client.post(f"{API}/reminder-bundles/elections/dates", headers=admin, json={
        "occurs_on": "2099-06-14", "title": "Scrutin\u202e", "message": "Bureau ouvert."})
    assert title.status_code == 422, title.text
    assert "direction du texte" in title.json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(ReminderDate)) == 0
