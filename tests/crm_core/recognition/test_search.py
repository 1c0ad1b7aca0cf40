from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from crm_core.cases import reference as refs
from crm_core.recognition.search import search
from crm_core.residents.models import Resident
from tests.crm_core.recognition.conftest import MakeResident


def top(db_session: Session, q: str, **options: object) -> list[str]:
    outcome = search(db_session=db_session, q=q, phone_region="FR", **options)  # type: ignore[arg-type]
    return [f"{c.given_name} {c.family_name}" for c in outcome.results]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("camile durand", "Camille Durand"),  # one letter missing
        ("DURAND Camille", "Camille Durand"),  # family name first
        ("camille duarnd", "Camille Durand"),  # two letters swapped
        ("jean baptiste le goff", "Jean-Baptiste Le Goff"),
        ("jeanbaptiste legoff", "Jean-Baptiste Le Goff"),
        ("legof", "Jean-Baptiste Le Goff"),
        ("ndiaye aminata", "Aminata N'Diaye"),
        ("n diaye", "Aminata N'Diaye"),
        ("filipe tibo", "Philippe Thibault"),  # heard, not read
        ("helene lefebvre", "Hélène Lefèvre"),
        ("HÉLÈNE LEFÉVRE", "Hélène Lefèvre"),  # wrong accent
        ("hel lef", "Hélène Lefèvre"),  # partial input
        ("marie guerin", "Marie Martin"),  # birth name
        ("nguyen van an", "Nguyễn Văn An"),
    ],
)
def test_finds_the_resident_first(
    db_session: Session, people: dict[str, Resident], typed: str, expected: str
) -> None:
    assert top(db_session, typed)[0] == expected


def test_closest_spelling_first_and_reasons_say_how(
    db_session: Session, people: dict[str, Resident]
) -> None:
    outcome = search(db_session=db_session, phone_region="FR", q="camile durant")
    first, second = outcome.results[:2]
    assert (first.family_name, second.family_name) == ("Durant", "Durand")
    assert first.score > second.score
    reasons = {r.field: r for r in second.reasons}
    assert reasons["family_name"].match == "phonetic"
    assert reasons["family_name"].typed == "durant" and reasons["family_name"].value == "Durand"
    assert reasons["given_name"].match in ("phonetic", "typo")


def test_birth_date_decides_between_namesakes(
    db_session: Session, people: dict[str, Resident]
) -> None:
    outcome = search(db_session=db_session, phone_region="FR",
                     q="jean martin", birth_date=date(1982, 6, 15))
    assert [c.birth_date for c in outcome.results] == [date(1982, 6, 15)]
    assert {r.field: r.match for r in outcome.results[0].reasons}["birth_date"] == "exact"
    both = search(db_session=db_session, phone_region="FR", q="jean martin")
    assert [c.score for c in both.results[:2]] == [1.0, 1.0]


def test_a_wrong_birth_date_still_finds_the_name(
    db_session: Session, people: dict[str, Resident]
) -> None:
    outcome = search(db_session=db_session, phone_region="FR",
                     q="aminata ndiaye", birth_date=date(1988, 7, 8))
    assert outcome.results[0].family_name == "N'Diaye"
    assert {r.field: r.match for r in outcome.results[0].reasons}["birth_date"] == (
        "one_part_differs")


def test_phone_email_and_reference_in_the_same_box(
    db_session: Session, people: dict[str, Resident], factories: object
) -> None:
    camille = people["Camille Durand"]
    assert top(db_session, "06.12.34.56.78") == ["Camille Durand"]
    assert top(db_session, "…34 56 78") == ["Camille Durand"]
    assert top(db_session, "5678") == ["Camille Durand"]
    assert top(db_session, "CAMILLE.DURAND@exemple.fr") == ["Camille Durand"]
    assert top(db_session, "camille.durand@") == ["Camille Durand"]
    case = factories.CaseFactory(resident=camille)  # type: ignore[attr-defined]
    outcome = search(db_session=db_session, phone_region="FR",
                     q=refs.format_reference(case.reference))
    assert [c.resident_id for c in outcome.results] == [camille.id]
    assert outcome.results[0].reasons[0].field == "reference"


def test_names_with_a_phone_fragment_rank_the_owner_first(
    db_session: Session, people: dict[str, Resident]
) -> None:
    outcome = search(db_session=db_session, phone_region="FR", q="camille 5678")
    assert outcome.results[0].family_name == "Durand"
    assert {r.field for r in outcome.results[0].reasons} >= {"given_name", "phone"}


def test_commune_ranks_residents_of_that_commune_first(
    db_session: Session, make_resident: MakeResident
) -> None:
    make_resident("Yves", "Kerbrat", date(1960, 1, 1), city="Brest", insee_code="29019")
    make_resident("Yves", "Kerbrat", date(1961, 1, 1), city="Rennes", insee_code="35238")
    outcome = search(db_session=db_session, phone_region="FR", q="yves kerbrat", commune="35238")
    assert outcome.results[0].birth_date == date(1961, 1, 1)
    assert outcome.results[0].reasons[-1].field == "commune"


def test_namesakes_make_room_for_other_names(
    db_session: Session, make_resident: MakeResident
) -> None:
    for year in range(1950, 1962):
        make_resident("Christelle", "Rousseau", date(year, 1, 1))
    make_resident("Christophe", "Rousseau", date(1975, 1, 1))
    names = top(db_session, "chri rousseau")
    # Three namesakes (with their birth dates) say enough; then the other name.
    assert names.index("Christophe Rousseau") == 3


def test_merged_and_erased_records_are_not_results(
    db_session: Session, people: dict[str, Resident]
) -> None:
    from crm_core.recognition.indexing import reindex_residents
    from crm_core.residents.enums import ResidentStatus

    resident = people["Philippe Thibault"]
    resident.status = ResidentStatus.ERASED
    reindex_residents(db_session=db_session, resident_ids=[resident.id])
    assert "Philippe Thibault" not in top(db_session, "philippe thibault")


def test_nothing_similar_gives_no_results(
    db_session: Session, people: dict[str, Resident]
) -> None:
    assert top(db_session, "zzyzx qwvbk") == []
    # Nobody born that day: the date is doubted, the name alone speaks (closer dates first).
    assert top(db_session, "durand", birth_date=date(2001, 1, 1)) == [
        "Camille Durant", "Camille Durand"]
