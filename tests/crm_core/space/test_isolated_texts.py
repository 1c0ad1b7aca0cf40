"""Texts written by people (a subject, a note) stored before the free-text rule may hold a
direction override: on the resident's pages each is isolated in <bdi>, so it cannot
reverse the rest of the line. And the rights form refuses such a character now."""

from __future__ import annotations

import re
from html import unescape
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import CaseStatusChange
from crm_core.channels import Channel
from crm_core.space.models import PrivacyRequest
from tests.crm_core.space.conftest import SignIn

OVERRIDE = "\u202e"
ISOLATED = re.compile(r"<bdi\b[^>]*>[^<]*</bdi>")


def _outside_bdi(html: str) -> str:
    return ISOLATED.sub("", html)


def test_an_override_stored_earlier_stays_inside_its_own_text(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    case = factories.CaseFactory(resident=resident, subject=f"Acte{OVERRIDE} 21 ud",
                                 status=CaseStatus.IN_PROGRESS)
    db_session.add(CaseStatusChange(case_id=case.id, from_status=CaseStatus.NEW,
                                    to_status=CaseStatus.IN_PROGRESS, channel=Channel.PHONE,
                                    note=f"Reçu{OVERRIDE} ud tnemucod"))
    factories.InteractionFactory(resident=resident, case_id=case.id, channel=Channel.PHONE,
                                 note=f"Appel{OVERRIDE} 12")
    db_session.flush()
    sign_in_as(resident.id)
    for url in ("/espace/demandes", "/espace/", "/espace/mes-donnees"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert OVERRIDE in page.text, url
        assert OVERRIDE not in _outside_bdi(page.text), url


def test_a_rights_message_with_an_override_shows_the_form_again_in_french(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    answer = client.post("/espace/droits", data={
        "csrf": csrf, "kind": "rectification", "message": f"Mon nom{OVERRIDE} ertua"})
    assert answer.status_code == 400
    assert "caractère U+202E (inversion du sens d'écriture) refusé" in unescape(answer.text)
    assert db_session.scalar(select(PrivacyRequest)) is None
