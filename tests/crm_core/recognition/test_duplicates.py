from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.recognition.duplicates import duplicates_of, find_duplicates
from crm_core.residents.models import Resident
from tests.crm_core.recognition.conftest import MakeResident

Headers = Callable[[Role], dict[str, str]]
HOME = {"address_line": "12 rue de Paris", "postal_code": "35000", "city": "Rennes",
        "insee_code": "35238"}


def pairs(db_session: Session) -> dict[frozenset[str], dict[str, object]]:
    found = {}
    for pair in find_duplicates(db_session=db_session, min_weight=-50):
        names = frozenset(f"{r.given_name} {r.family_name} {r.birth_date}"
                          for r in (pair.first, pair.second))
        found[names] = pair.as_dict()
    return found


def key(*people: Resident) -> frozenset[str]:
    return frozenset(f"{p.given_name} {p.family_name} {p.birth_date}" for p in people)


def test_a_misspelt_second_record_is_a_probable_duplicate(
    db_session: Session, make_resident: MakeResident
) -> None:
    first = make_resident("Camille", "Durand", date(1984, 3, 12), ["0612345678"], **HOME)
    second = make_resident("Camile", "Durant", date(1984, 3, 12))
    found = pairs(db_session)[key(first, second)]
    assert found["decision"] == "probable"
    levels = {c["field"]: c["level"] for c in found["comparisons"]}  # type: ignore[attr-defined]
    assert levels == {"family_name": "phonetic", "given_name": "phonetic",
                      "birth_date": "exact"}
    assert found["probability"] > 0.9  # type: ignore[operator]


def test_a_family_sharing_home_phone_and_address_is_not_one_person(
    db_session: Session, make_resident: MakeResident
) -> None:
    mother = make_resident("Sylvie", "Kerbrat", date(1965, 2, 1), ["0299123456"],
                           ["famille.kerbrat@exemple.fr"], **HOME)
    son = make_resident("Erwan", "Kerbrat", date(1995, 8, 9), ["0299123456"],
                        ["famille.kerbrat@exemple.fr"], **HOME)
    twin = make_resident("Gwenn", "Kerbrat", date(1995, 8, 9), ["0299123456"], **HOME)
    found = pairs(db_session)
    assert key(mother, son) not in found
    assert key(son, twin) not in found  # twins: same day, same home, other first name


def test_father_and_son_of_the_same_name_are_at_most_possible(
    db_session: Session, make_resident: MakeResident
) -> None:
    father = make_resident("Jean", "Riou", date(1950, 1, 1), ["0299123456"], **HOME)
    son = make_resident("Jean", "Riou", date(1980, 6, 6), ["0299123456"], **HOME)
    found = pairs(db_session).get(key(father, son))
    assert found is None or found["decision"] == "possible"


def test_swapped_names_and_birth_names_are_recognised(
    db_session: Session, make_resident: MakeResident
) -> None:
    recorded = make_resident("Yannick", "Gicquel", date(1970, 4, 4))
    swapped = make_resident("Gicquel", "Yannick", date(1970, 4, 4))
    married = make_resident("Anne", "Le Bris", date(1980, 7, 7), birth_name="Cadiou")
    maiden = make_resident("Anne", "Cadiou", date(1980, 7, 7))
    found = pairs(db_session)
    swap = found[key(recorded, swapped)]
    assert swap["decision"] == "probable"
    assert any(c["detail"] == "prénom et nom inversés"
               for c in swap["comparisons"])  # type: ignore[attr-defined]
    assert found[key(married, maiden)]["decision"] == "probable"


def test_one_residents_duplicates_come_from_every_block(
    db_session: Session, make_resident: MakeResident
) -> None:
    """The global scan skips crowded name blocks (Marie Martin); one file's check does not."""
    from crm_core.recognition.duplicates import RARE_PAIR, _blocks

    target = make_resident("Marie", "Martin", None)
    others = [make_resident("Marie", "Martin", date(1950 + i, 1, 1))
              for i in range(RARE_PAIR + 1)]
    everybody = _blocks(db_session)
    assert not any(target.id in pair for pair in everybody)
    mine = _blocks(db_session, only=target.id)
    assert {other for pair in mine for other in pair} == {target.id} | {o.id for o in others}
    # A common name without a birth date is weak evidence: nothing is proposed...
    assert duplicates_of(db_session=db_session, resident_id=target.id) == []
    # ...until something else agrees.
    make_resident("Marie", "Martin", date(1951, 1, 1), ["0612345678"])
    service_phone(db_session, target, "0612345678")
    found = duplicates_of(db_session=db_session, resident_id=target.id)
    assert len(found) == 1 and found[0].verdict.decision is not None


def service_phone(db_session: Session, resident: Resident, number: str) -> None:
    from crm_core.agents.actor import SYSTEM
    from crm_core.residents import service
    from crm_core.residents.enums import ContactKind
    from crm_core.residents.schemas import ContactPointCreate

    service.add_contact_point(db_session=db_session, phone_region="FR",
                              actor=SYSTEM, resident_id=resident.id,
                              data=ContactPointCreate(kind=ContactKind.PHONE, value=number))


def test_duplicates_api(
    client: TestClient, as_role: Headers, make_resident: MakeResident
) -> None:
    first = make_resident("Camille", "Durand", date(1984, 3, 12))
    make_resident("Camile", "Durand", date(1984, 3, 12))
    assert client.get("/api/v1/residents/duplicates",
                      headers=as_role(Role.COUNTER)).status_code == 403
    listed = client.get("/api/v1/residents/duplicates", headers=as_role(Role.SUPERVISOR))
    assert listed.status_code == 200, listed.text
    assert listed.json()[0]["decision"] == "probable"
    mine = client.get(f"/api/v1/residents/{first.id}/duplicates",
                      headers=as_role(Role.COUNTER))
    assert mine.status_code == 200
    assert len(mine.json()) == 1


def test_review_window_of_the_api(
    client: TestClient, as_role: Headers, make_resident: MakeResident,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crm_core.recognition import duplicates

    make_resident("Camille", "Durand", date(1984, 3, 12))
    make_resident("Camile", "Durand", date(1984, 3, 12))
    supervisor = as_role(Role.SUPERVISOR)
    url = "/api/v1/residents/duplicates"
    later = client.get(url, params={"since": "2999-01-01T00:00:00Z"}, headers=supervisor)
    assert later.status_code == 200 and later.json() == []
    monkeypatch.setattr(duplicates, "MAX_RECENT", 1)
    crowded = client.get(url, params={"since": "2000-01-01T00:00:00"}, headers=supervisor)
    assert crowded.status_code == 422
    assert crowded.json()["code"] == "too_many_to_review"
    assert "relais residents duplicates" in crowded.json()["detail"]
