"""Names made only of invisible or control characters, or holding a direction override,
are refused in French wherever a name comes in (the API, the connectors' events, the
service that every path ends in); nothing is written."""

from __future__ import annotations

from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.residents.models import Resident
from crm_core.text import name_problem
from integrations.inbound.schemas import EventResident

BAD = {
    "override": "Martin\u202enitraM",  # reads as another name
    "isolate": "\u2067Durand\u2069",
    "invisible only": "\u200b\u200b",
    "control only": "\u0007\u0008",
    "soft hyphen only": "\u00ad",
    # "Letters" that display as nothing, and other invisible characters (issue 20).
    "hangul filler": "\u3164",
    "hangul choseong and jungseong fillers": "\u115f\u1160",
    "halfwidth hangul filler": "\uffa0",
    "braille blank": "\u2800\u2800",
    "line separator": "Léa\u2028Durand",
    "paragraph separator": "Léa\u2029Durand",
    "private use": "\ue000\ue001",
    "zero width joiner alone": "\u200d",
    "joiner at the end": "Durand\u200d",
    "word joiner": "Du\u2060rand",
    "variation selector alone": "\ufe0f",
    "combining mark alone": "\u0301\u0301",
    "mark after a space": "Durand \u0301",
    "filler beside a letter": "D\u3164",
    "digits": "Durand 2",
    # Outside test after issue 20: invisible inside Latin names.
    "joiner between latin letters": "Ma\u200drtin",
    "non-joiner between latin letters": "Ma\u200crtin",
    "emoji variation selector after a letter": "Martin\ufe0f",
    "text variation selector inside": "Mar\ufe00tin",
    "stacked accents": "Jea" + "\u0301" * 8 + "n",
}


@pytest.mark.parametrize("name", BAD.values(), ids=BAD.keys())
def test_the_api_refuses_the_name_in_french(
    name: str, client: TestClient, as_role: object, db_session: Session, factories: ModuleType
) -> None:
    headers = as_role(Role.COUNTER)  # type: ignore[operator]
    before = db_session.scalar(select(func.count()).select_from(Resident))
    answer = client.post("/api/v1/residents", headers=headers, json={
        "given_name": "Léa", "family_name": name, "channel": "counter"})
    assert answer.status_code == 422, answer.text
    assert "nom" in answer.json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(Resident)) == before
    resident = factories.ResidentFactory()
    db_session.commit()
    changed = client.patch(f"/api/v1/residents/{resident.id}", headers=headers,
                           json={"birth_name": name})
    assert changed.status_code == 422


@pytest.mark.parametrize("name", BAD.values(), ids=BAD.keys())
def test_a_platforms_event_is_refused_too(name: str) -> None:
    with pytest.raises(ValidationError, match="nom"):
        EventResident.model_validate({"given_name": name, "family_name": "Durand"})


def test_real_names_pass() -> None:
    for name in ("N'Diaye-Lefèvre", "Ørsted", "Nguyễn", "محمد", "می\u200cخواهم", "O'Brien",
                 "J.-P. Lefe\u0301vre", "Le Gall–Martin", "김민준", "山田 太郎", "ʻOhana"):
        assert name_problem(name) is None, name
