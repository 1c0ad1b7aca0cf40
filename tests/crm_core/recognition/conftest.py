from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.residents import service
from crm_core.residents.models import Resident
from crm_core.residents.schemas import ResidentCreate

MakeResident = Callable[..., Resident]

# (given name, family name, birth date, phones, e-mails, birth name)
PEOPLE = [
    ("Camille", "Durand", date(1984, 3, 12), ["06 12 34 56 78"], ["camille.durand@exemple.fr"],
     None),
    ("Camille", "Durant", date(1990, 1, 1), [], [], None),
    ("Camille", "Dupont", date(1984, 3, 12), [], [], None),
    ("Jean-Baptiste", "Le Goff", date(1970, 5, 5), [], [], None),
    ("Aminata", "N'Diaye", date(1988, 7, 7), ["02 99 12 34 56"], [], None),
    ("Philippe", "Thibault", date(1960, 2, 2), [], [], None),
    ("Hélène", "Lefèvre", date(1975, 9, 30), [], ["h.lefevre@exemple.fr"], None),
    ("Marie", "Martin", date(1948, 11, 1), [], [], "Guérin"),
    ("Jean", "Martin", date(1950, 4, 4), [], [], None),
    ("Jean", "Martin", date(1982, 6, 15), [], [], None),
    ("Nguyễn", "Văn An", date(1995, 12, 24), [], [], None),
]


@pytest.fixture
def make_resident(db_session: Session) -> MakeResident:
    """Residents created through the service, so their search keys exist."""

    def make(given: str, family: str, birth: date | None = None, phones: list[str] | None = None,
             emails: list[str] | None = None, birth_name: str | None = None, **extra: object
             ) -> Resident:
        data = ResidentCreate(given_name=given, family_name=family, birth_date=birth,
                              phones=phones or [], emails=emails or [], birth_name=birth_name,
                              **extra)
        return service.create(db_session=db_session, phone_region="FR", actor=SYSTEM, data=data)

    return make


@pytest.fixture
def people(make_resident: MakeResident) -> dict[str, Resident]:
    made: dict[str, Resident] = {}
    for given, family, birth, phones, emails, birth_name in PEOPLE:
        resident = make_resident(given, family, birth, phones, emails, birth_name)
        made.setdefault(f"{given} {family}", resident)
    return made
