"""The space's forms never read a missing or tampered field as an answer, answer a
second sending of the same form without doing it twice, and refuse what they cannot take
with a French page in the space's layout, the form shown again with what was typed
(outside test of issue 19, points 7, 13, 14, 15 and 19)."""

from __future__ import annotations

import re
from html import unescape
from types import ModuleType
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.badges.models import Badge
from crm_core.consent.service import set_consent
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.privacy.models import ConsentChange
from crm_core.reminders import service as reminders
from crm_core.residents.enums import ContactKind
from crm_core.space.models import PrivacyRequest
from tests.crm_core.space.conftest import SignIn

LAYOUT = "Aller au contenu"  # the skip link every page of the space's layout has


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, page[:400]
    return found.group(1)


def test_a_contact_point_answer_missing_or_tampered_changes_nothing(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    point = factories.ContactPointFactory(resident=resident, value="+33649337510",
                                          contact_allowed=True)
    csrf = sign_in_as(resident.id)
    for data in ({"csrf": csrf}, {"csrf": csrf, "contact": "bof"},
                 {"csrf": csrf, "contact": "oui\x00"}):
        answer = client.post(f"/espace/coordonnees/{point.id}", data=data,
                             follow_redirects=False)
        text = unescape(answer.text)
        assert answer.status_code == 400, data
        assert answer.headers["content-type"].startswith("text/html")
        assert "Répondez « oui » ou « non » pour cette coordonnée" in text
        assert "Rien n'a été enregistré" in text and LAYOUT in text
        assert 'value="oui" checked' in answer.text  # the form again, the current answer
        db_session.refresh(point)
        assert point.contact_allowed is True


def test_the_reminder_hint_names_exactly_what_is_missing(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    factories.ContactPointFactory(resident=resident, kind=ContactKind.EMAIL,
                                  value="camille@example.fr", contact_allowed=True)
    reminders.create_bundle(db_session=db_session, code="dechets", label="Collecte")
    csrf = sign_in_as(resident.id)
    client.post("/espace/rappels", data={"csrf": csrf, "rappel": ["dechets:email"]})
    client.post("/espace/choix", data={"csrf": csrf, "contact_email": "oui",
                                       "reminders": "non"})
    page = unescape(client.get("/espace/choix").text)
    assert ("Ces rappels ne partent pas : il faut encore accepter de recevoir des"
            " rappels.") in page
    client.post("/espace/choix", data={"csrf": csrf, "contact_email": "non",
                                       "reminders": "oui"})
    page = unescape(client.get("/espace/choix").text)
    assert ("Ces rappels ne partent pas : il faut encore accepter d'être contacté(e) par"
            " courriel.") in page
    client.post("/espace/choix", data={"csrf": csrf, "contact_email": "oui"})
    assert "Ces rappels ne partent pas" not in unescape(client.get("/espace/choix").text)


def test_a_tampered_choice_shows_the_form_again_with_the_valid_answers(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    answer = client.post("/espace/choix", data={"csrf": csrf, "contact_sms": "oui",
                                                "contact_email": "peut-être"})
    assert answer.status_code == 400
    text = unescape(answer.text)
    assert "Répondez « oui » ou « non » à chaque question" in text and LAYOUT in text
    assert 'id="c-contact_sms-oui" name="contact_sms" value="oui" checked' in answer.text
    assert '<form method="post" action="/espace/choix">' in answer.text
    assert db_session.scalar(select(ConsentChange).where(
        ConsentChange.resident_id == resident.id)) is None


def test_two_sendings_of_the_qr_form_issue_one_badge(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    sign_in_as(resident.id)
    page = client.get("/espace/badge").text
    form = {"csrf": _hidden(page, "csrf"), "remplace": _hidden(page, "remplace")}
    first = client.post("/espace/badge", data=form, follow_redirects=False)
    second = client.post("/espace/badge", data=form, follow_redirects=False)
    assert first.headers["location"] == "/espace/badge?fait=badge"
    assert second.headers["location"] == "/espace/badge?fait=badge-deja"
    assert db_session.scalar(select(func.count()).select_from(Badge).where(
        Badge.resident_id == resident.id)) == 1
    shown = unescape(client.get(second.headers["location"]).text)
    assert "un seul nouveau code QR a été émis" in shown and "<svg" in shown
    # A new form (a new page) issues a new code, as before.
    page = client.get("/espace/badge").text
    again = client.post("/espace/badge", data={"csrf": form["csrf"],
                                               "remplace": _hidden(page, "remplace")},
                        follow_redirects=False)
    assert again.headers["location"] == "/espace/badge?fait=badge"


def test_two_sendings_of_the_same_rights_request_file_one(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    form = {"csrf": csrf, "kind": "rectification", "message": "Mon nom s'écrit Lefèvre"}
    for _ in range(2):
        sent = client.post("/espace/droits", data=form, follow_redirects=False)
        assert sent.headers["location"] == "/espace/droits?fait=demande"
    assert db_session.scalar(select(func.count()).select_from(PrivacyRequest).where(
        PrivacyRequest.resident_id == resident.id)) == 1


def test_a_second_request_of_a_kind_still_open_is_refused_naming_it(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    """Fourth outside look at issue 21: several erasure requests open at once."""
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    sent = [client.post("/espace/droits", data={"csrf": csrf, "kind": kind, "message": text},
                        follow_redirects=False)
            for kind, text in (("erasure", "Effacez tout"), ("erasure", "Effacez tout, vite"),
                               ("rectification", "Mon nom : Lefèvre"))]
    assert [answer.status_code for answer in sent] == [303, 400, 303]
    assert "déjà une demande d'effacement en cours" in unescape(sent[1].text)
    assert db_session.scalar(select(func.count()).select_from(PrivacyRequest).where(
        PrivacyRequest.resident_id == resident.id)) == 2


def test_deleting_a_contact_point_twice_says_it_is_already_gone(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    point = factories.ContactPointFactory(resident=resident, value="+33649337510")
    csrf = sign_in_as(resident.id)
    url = f"/espace/coordonnees/{point.id}/suppression"
    first = client.post(url, data={"csrf": csrf}, follow_redirects=False)
    second = client.post(url, data={"csrf": csrf}, follow_redirects=False)
    assert first.headers["location"] == "/espace/coordonnees?fait=suppression"
    assert second.headers["location"] == "/espace/coordonnees?fait=deja-supprimee"
    assert "déjà supprimée" in unescape(client.get(second.headers["location"]).text)


def test_a_full_length_text_of_wide_characters_is_accepted(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    for kind, text in (("erasure", "€" * 1990), ("rectification", "😀" * 2000)):
        # 3 and 4 bytes of UTF-8, 9 and 12 encoded (one open request of each kind)
        sent = client.post("/espace/droits", data={"csrf": csrf, "kind": kind,
                                                   "message": text},
                           follow_redirects=False)
        assert sent.status_code == 303, (len(text), sent.status_code)
    assert db_session.scalar(select(func.count()).select_from(PrivacyRequest).where(
        PrivacyRequest.resident_id == resident.id)) == 2


def test_a_body_too_large_gets_a_page_in_the_spaces_layout(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn
) -> None:
    csrf = sign_in_as(factories.ResidentFactory().id)
    answer = client.post("/espace/droits", data={"csrf": csrf, "kind": "erasure",
                                                 "message": "😀" * 4000})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    text = unescape(answer.text)
    assert "Envoi trop volumineux" in text and LAYOUT in text
    assert "<title>Envoi trop volumineux – Mon espace" in text


def test_the_too_large_page_leads_a_signed_in_resident_back_not_to_sign_in(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn
) -> None:
    csrf = sign_in_as(factories.ResidentFactory().id)
    body = {"csrf": csrf, "kind": "erasure", "message": "😀" * 4000}

    def link(headers: dict[str, str]) -> str:
        answer = client.post("/espace/droits", data=body, headers=headers)
        assert answer.status_code == 413
        found = re.search(r'<p><a href="([^"]*)">([^<]*)</a></p>', answer.text)
        assert found is not None, answer.text[-600:]
        return unescape(found.group(1))

    assert link({"referer": "http://testserver/espace/droits?fait=demande"}) == "/espace/droits"
    assert link({}) == "/espace/"
    for elsewhere in ("https://evil.example/espace/droits", "http://testserver/docs",
                      "http://testserver//evil.example/espace/"):
        assert link({"referer": elsewhere}) == "/espace/", elsewhere
    client.cookies.clear()  # no session: the sign-in page is the way in
    assert link({}) == "/espace/connexion"


def test_a_nul_character_shows_the_form_again_in_french(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    answer = client.post("/espace/droits", content=urlencode(
        {"csrf": csrf, "kind": "rectification", "message": "Mon nom\x00 est Lefèvre"}),
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    text = unescape(answer.text)
    assert "caractère U+0000 (caractère nul) refusé" in text and LAYOUT in text
    assert "Mon nom est Lefèvre" in text  # what was typed, less the NUL
    assert 'value="rectification" required checked' in answer.text
    assert db_session.scalar(select(PrivacyRequest)) is None
    in_address = client.get("/espace/choix?x=%00")
    assert in_address.status_code == 400
    assert in_address.headers["content-type"].startswith("text/html")
    assert "Caractère non accepté" in unescape(in_address.text)


def test_the_opt_out_page_answers_a_bad_token_with_a_page(client: TestClient) -> None:
    for params in ({"jeton": "x" * 500}, {"jeton": "ab\x00cd"}, {"fait": "oui"}):
        answer = client.get("/rappels/desabonnement", params=params)
        assert answer.status_code == 400, params
        assert answer.headers["content-type"].startswith("text/html")
    posted = client.post("/rappels/desabonnement", data={"jeton": "y" * 500})
    assert posted.status_code == 400 and posted.headers["content-type"].startswith("text/html")
    assert "Lien non valable" in unescape(posted.text)


def test_choices_keep_an_agent_recorded_answer_when_the_form_is_tampered(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    set_consent(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                purpose=ConsentPurpose.CONTACT_SMS, granted=True, source=ConsentSource.AGENT)
    csrf = sign_in_as(resident.id)
    answer = client.post("/espace/choix", data={"csrf": csrf, "contact_sms": "non",
                                                "reminders": "bof"})
    assert answer.status_code == 400
    assert [c.granted for c in db_session.scalars(select(ConsentChange).where(
        ConsentChange.resident_id == resident.id))] == [True]


def test_a_doubled_field_on_the_rights_page_says_nothing_was_saved_once(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    """Outside test after issue 20: « Rien n'a été enregistré. » twice, and « votre texte
    est conservé » though the form came back empty."""
    csrf = sign_in_as(factories.ResidentFactory().id)
    answer = client.post("/espace/droits", content=urlencode(
        [("csrf", csrf), ("kind", "erasure"), ("kind", "rectification"),
         ("message", "Effacez tout")]),
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 400
    text = unescape(answer.text)
    assert text.count("Rien n'a été enregistré") == 1, text
    assert "votre texte est conservé" not in text
    assert db_session.scalar(select(PrivacyRequest)) is None
