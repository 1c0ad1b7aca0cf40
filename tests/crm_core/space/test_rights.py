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
