"""A space form is taken only as its page sends it: a field sent twice
(`contact_phone=oui&contact_phone=non`) or a field the page does not hold is refused in
French, nothing written — never one of the two values picked for the resident."""

from __future__ import annotations

from html import unescape
from types import ModuleType
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.badges.models import Badge
from crm_core.privacy.models import ConsentChange
from crm_core.residents.enums import ContactKind
from crm_core.residents.models import ContactPoint
from crm_core.space.models import PrivacyRequest
from tests.crm_core.space.conftest import SignIn

FORM = {"content-type": "application/x-www-form-urlencoded"}


def _post(client: TestClient, path: str, fields: list[tuple[str, str]]) -> str:
    answer = client.post(path, content=urlencode(fields), headers=FORM, follow_redirects=False)
    assert answer.status_code == 400, (answer.status_code, answer.text[:300])
    page = unescape(answer.text)
    assert "n'est pas celui de la page" in page and "Rien n'a été enregistré" in page
    return page


def _count(db_session: Session, model: type) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("fields", [
    [("contact_phone", "oui"), ("contact_phone", "non")],
    [("contact_phone", "oui"), ("contact_sms", "oui"), ("contact_sms", "oui")],
    [("contact_phone", "oui"), ("newsletter", "oui")],
], ids=["yes and no", "twice the same", "unknown field"])
def test_my_choices_refuse_a_doubled_or_unknown_answer(
    fields: list[tuple[str, str]], client: TestClient, factories: ModuleType,
    db_session: Session, sign_in_as: SignIn,
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    page = _post(client, "/espace/choix", [("csrf", csrf), *fields])
    assert "Mes choix" in page
    assert _count(db_session, ConsentChange) == 0


def test_reminders_take_many_boxes_but_nothing_else(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    csrf = sign_in_as(factories.ResidentFactory().id)
    _post(client, "/espace/rappels", [("csrf", csrf), ("csrf", csrf)])
    _post(client, "/espace/rappels", [("csrf", csrf), ("tout", "oui")])
    # Ticked boxes share one name: that is the form, refused here only for an unknown bundle.
    answer = client.post("/espace/rappels", content=urlencode(
        [("csrf", csrf), ("rappel", "x:sms"), ("rappel", "y:sms")]), headers=FORM)
    assert "bouquet de rappels n'existe pas" in unescape(answer.text)


def test_a_contact_point_answer_sent_twice_changes_nothing(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    point = factories.ContactPointFactory(resident=resident, kind=ContactKind.PHONE,
                                          value="+33649337510", contact_allowed=True)
    csrf = sign_in_as(resident.id)
    _post(client, f"/espace/coordonnees/{point.id}",
          [("csrf", csrf), ("contact", "non"), ("contact", "oui")])
    _post(client, f"/espace/coordonnees/{point.id}/suppression",
          [("csrf", csrf), ("contact", "non")])
    db_session.expire_all()
    assert db_session.get(ContactPoint, point.id).contact_allowed is True  # type: ignore[union-attr]


def test_rights_and_badge_forms_refuse_doubled_or_unknown_fields(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    csrf = sign_in_as(factories.ResidentFactory().id)
    page = _post(client, "/espace/droits", [
        ("csrf", csrf), ("kind", "rectification"), ("kind", "erasure"),
        ("message", "Mon nom est mal écrit.")])
    assert "Corriger ou effacer" in page
    _post(client, "/espace/badge", [("csrf", csrf), ("remplace", ""), ("nombre", "5")])
    assert _count(db_session, PrivacyRequest) == _count(db_session, Badge) == 0
