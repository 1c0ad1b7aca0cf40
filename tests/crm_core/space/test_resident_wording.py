"""What the resident reads is French, never a raw code (issue 19, point 8): the
consultation log's reasons, phone numbers, open requests, page titles."""

from __future__ import annotations

import re
from html import unescape
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.cases.enums import CaseStatus
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.space.labels import reason_label
from tests.crm_core.space.conftest import SignIn


def test_the_consultation_log_gives_its_reasons_in_french(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    case = factories.CaseFactory(resident=resident)
    agent = factories.AgentFactory()
    actor = Actor(username=agent.username, agent_id=agent.id, role=agent.role,
                  site_id=agent.site_id)
    for operation, reason in (
        (AccessOperation.LOOKUP, "incoming_call:201"),
        (AccessOperation.READ_CASE, case.reference),
        (AccessOperation.BADGE_SCAN, "qr"),
        (AccessOperation.UPDATE_RESIDENT, "address_line, given_name"),
        (AccessOperation.LOOKUP, "reference"),
    ):
        record_access(db_session=db_session, actor=actor, resident_id=resident.id,
                      operation=operation, reason=reason)
    db_session.flush()
    sign_in_as(resident.id)
    page = unescape(client.get("/espace/consultations").text)
    shown = f"{case.reference[:4]}-{case.reference[4:]}"
    for expected in ("appel reçu de votre numéro : dossier affiché au poste 201",
                     f"demande {shown}", "badge (code QR)", "modification : adresse, prénom",
                     "recherche par la référence d'une demande"):
        assert expected in page, expected
    assert "incoming_call" not in page and f">{case.reference}<" not in page


def test_reasons_written_by_the_code_all_read_as_french() -> None:
    assert reason_label("desk_snapshot:12") == "dossier affiché au poste téléphonique 12"
    assert reason_label("privacy_request:erasure") == "demande d'effacement (RGPD)"
    assert reason_label("compte-unique", AccessOperation.LINK_ACCOUNT) == (
        "rattachement de votre compte en ligne")
    assert reason_label("contact_sms=oui") == "recevoir des SMS : oui"
    assert reason_label("demande de l'usager au guichet") == "demande de l'usager au guichet"


def test_phones_are_written_the_french_way(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    factories.ContactPointFactory(resident=resident, value="+33649337510")
    factories.ContactPointFactory(resident=resident, value="+447911123456")
    sign_in_as(resident.id)
    for url in ("/espace/coordonnees", "/espace/mes-donnees"):
        page = unescape(client.get(url).text)
        assert "06 49 33 75 10" in page and "+44 7911 123456" in page, url
        assert "+33649337510" not in page and "+447911123456" not in page, url


def test_a_resolved_request_is_not_listed_as_ongoing(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    factories.CaseFactory(resident=resident, subject="Acte de naissance",
                          status=CaseStatus.RESOLVED)
    factories.CaseFactory(resident=resident, subject="Carte d'identité",
                          status=CaseStatus.IN_PROGRESS)
    sign_in_as(resident.id)
    home = unescape(client.get("/espace/").text)
    ongoing = home.split("Mes demandes en cours", 1)[1]
    assert "Carte d'identité" in ongoing and "Acte de naissance" not in ongoing


def test_page_titles_name_the_space_once(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn
) -> None:
    # Signed out first: the sign-in page said « Connexion à mon espace – Mon espace ».
    for signed_in, url, expected in ((False, "/espace/connexion", "Connexion – Mon espace – "),
                                     (True, "/espace/", "Mon espace – "),
                                     (True, "/espace/badge", "Mon badge – Mon espace – ")):
        if signed_in:
            sign_in_as(factories.ResidentFactory().id)
        [title] = re.findall(r"<title>(.*?)</title>", client.get(url).text)
        assert unescape(title).startswith(expected), title
        assert unescape(title).lower().count("mon espace") == 1, title


def test_my_data_names_the_online_account_in_words(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    from crm_core.residents.models import AccountLink

    resident = factories.ResidentFactory()
    # The city's configured provider (« compte-unique » unless set), as an older row may
    # have spelt it, and another one an agent linked: only the first is the city's.
    db_session.add_all([
        AccountLink(resident_id=resident.id, provider="Compte-Unique", subject="sub-42"),
        AccountLink(resident_id=resident.id, provider="oidc-metropole", subject="sub-43")])
    db_session.flush()
    sign_in_as(resident.id)
    page = unescape(client.get("/espace/mes-donnees").text)
    assert page.count("Compte en ligne de la ville, rattaché le") == 1
    assert "Compte « oidc-metropole », rattaché le" in page
