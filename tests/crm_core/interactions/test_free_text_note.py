"""An exchange's note is free text: lines and emoji, but no escape sequence or direction
override (they reached the resident's page and the desk terminals)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.interactions.models import Interaction

Headers = Callable[[Role], dict[str, str]]


def test_a_note_with_an_override_or_an_escape_is_refused_in_french(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    resident = factories.ResidentFactory()
    db_session.commit()
    for note, said in (("Payé\u202e 05 €", "U+202E (inversion du sens d'écriture)"),
                       ("Bip\x07\x1b[2J", "U+0007 (sonnerie)")):
        answer = client.post("/api/v1/interactions", headers=as_role(Role.COUNTER), json={
            "resident_id": str(resident.id), "outcome": "informed", "note": note})
        assert answer.status_code == 422, answer.text
        assert said in answer.json()["detail"] and "note" in answer.json()["detail"].lower()
    assert db_session.scalar(select(func.count()).select_from(Interaction)) == 0


def test_a_note_keeps_its_lines_and_emoji_with_windows_line_ends_made_plain(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    resident = factories.ResidentFactory()
    db_session.commit()
    answer = client.post("/api/v1/interactions", headers=as_role(Role.COUNTER), json={
        "resident_id": str(resident.id), "outcome": "informed",
        "note": "Venue en famille 👨\u200d👩\u200d👧\r\nRappeler ☎️"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["note"] == "Venue en famille 👨\u200d👩\u200d👧\nRappeler ☎"
