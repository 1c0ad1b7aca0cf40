"""A name that mixes scripts (a Cyrillic а in "Durand") looks like someone else's: the
duplicates review flags it for a person to check."""

from __future__ import annotations

from datetime import date
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.recognition.indexing import reindex_residents
from crm_core.scripts import is_mixed_script, scripts_of


def test_scripts_are_told_apart_without_a_dependency() -> None:
    assert scripts_of("Durand") == {"LATIN"}
    assert scripts_of("Dur\u0430nd") == {"LATIN", "CYRILLIC"}
    assert is_mixed_script("Camille", "Dur\u0430nd")
    for real in ("N'Diaye-Lefèvre", "Παπαδόπουλος", "Иванова", "محمد", "やまだ 山田"):
        assert not is_mixed_script(real), real


def test_the_duplicates_review_flags_a_mixed_script_name(
    client: TestClient, as_role: object, db_session: Session, factories: ModuleType
) -> None:
    born = date(1984, 3, 12)
    genuine = factories.ResidentFactory(given_name="Camille", family_name="Durand",
                                        birth_date=born)
    lookalike = factories.ResidentFactory(given_name="Camille", family_name="Dur\u0430nd",
                                          birth_date=born)
    reindex_residents(db_session=db_session, resident_ids=[genuine.id, lookalike.id])
    db_session.commit()
    pairs = client.get(f"/api/v1/residents/{genuine.id}/duplicates",
                       headers=as_role(Role.SUPERVISOR)).json()  # type: ignore[operator]
    [pair] = [p for p in pairs if str(lookalike.id) in map(str, p["resident_ids"])]
    assert pair["confusable"] is True
    flags = {r["family_name"]: r["mixed_script"] for r in pair["residents"]}
    assert flags == {"Durand": False, "Dur\u0430nd": True}
