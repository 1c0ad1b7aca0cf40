"""A resident's message with a rights request (`crm_core.space.rights`): refused in a
resident's words (issue 20, fourth outside test: accents alone read « Votre message
contient un texte vide »)."""

from __future__ import annotations

from types import ModuleType

import pytest
from sqlalchemy.orm import Session

from crm_core.exceptions import InvalidInput
from crm_core.space import rights
from crm_core.space.enums import PrivacyRequestKind


@pytest.mark.parametrize("message", ["\u0301\u0301", "\u0301", " \u0301 ", "\u3164",
                                     "\u200b\u200b"])
def test_a_message_showing_nothing_says_so_plainly(
    db_session: Session, factories: ModuleType, message: str
) -> None:
    resident = factories.ResidentFactory()
    with pytest.raises(InvalidInput) as refused:
        rights.file_request(db_session=db_session, resident_id=resident.id,
                            kind=PrivacyRequestKind.RECTIFICATION, message=message)
    assert refused.value.detail == "Votre message ne contient aucun caractère visible"


@pytest.mark.parametrize(("message", "said"), [
    ("Mon nom\x07", "U+0007 (sonnerie)"), ("Dure\u0301\u0301\u0301", "plus de 2 accents"),
])
def test_a_refused_character_reads_as_a_sentence(
    db_session: Session, factories: ModuleType, message: str, said: str
) -> None:
    resident = factories.ResidentFactory()
    with pytest.raises(InvalidInput) as refused:
        rights.file_request(db_session=db_session, resident_id=resident.id,
                            kind=PrivacyRequestKind.RECTIFICATION, message=message)
    detail = refused.value.detail
    assert detail.startswith("Votre message n'a pas pu être enregistré : ")
    assert said in detail and "contient un" not in detail


def test_the_database_keeps_one_open_request_of_a_kind(
    db_session: Session, factories: ModuleType
) -> None:
    """The partial unique index behind the service's rule (the race's last word)."""
    from sqlalchemy.exc import IntegrityError

    from crm_core.space.enums import PrivacyRequestStatus
    from crm_core.space.models import PrivacyRequest

    resident = factories.ResidentFactory()
    db_session.add(PrivacyRequest(resident_id=resident.id, kind=PrivacyRequestKind.ERASURE))
    db_session.add(PrivacyRequest(resident_id=resident.id, kind=PrivacyRequestKind.ERASURE,
                                  status=PrivacyRequestStatus.DONE))
    db_session.flush()
    db_session.begin_nested()
    db_session.add(PrivacyRequest(resident_id=resident.id, kind=PrivacyRequestKind.ERASURE))
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_the_loser_of_a_race_gets_the_same_answer(
    db_session: Session, factories: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests at one instant: the second's look finds nothing yet, its insert breaks
    the index, and it is answered as if it had looked after the first."""
    from crm_core.space.models import PrivacyRequest

    resident = factories.ResidentFactory()
    winner = PrivacyRequest(resident_id=resident.id, kind=PrivacyRequestKind.ERASURE,
                            message="Effacez tout")
    db_session.add(winner)
    db_session.flush()
    looks = iter([None])
    real = rights._open_of_kind
    monkeypatch.setattr(rights, "_open_of_kind",
                        lambda *args: next(looks, None) or real(*args))
    with pytest.raises(rights.PrivacyRequestOpen) as refused:
        rights.file_request(db_session=db_session, resident_id=resident.id,
                            kind=PrivacyRequestKind.ERASURE, message="Autre texte")
    assert refused.value.status == 409 and refused.value.extra["open_request_id"] == str(winner.id)
