"""The resident space's pages, signed in: what each shows, what each changes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.badges.enums import BadgeKind
from crm_core.badges.models import Badge
from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import CaseStatusChange
from crm_core.channels import Channel
from crm_core.consent.service import may_contact
from crm_core.interactions.enums import Outcome
from crm_core.privacy.enums import AccessOperation, ConsentPurpose, ConsentSource
from crm_core.privacy.models import ConsentChange
from crm_core.privacy.service import record_access
from crm_core.reminders import service as reminders
from crm_core.reminders.models import ReminderSubscription
from crm_core.residents.enums import ContactKind
from crm_core.residents.models import ContactPoint
from crm_core.space.enums import PrivacyRequestKind
from crm_core.space.models import PrivacyRequest
from tests.crm_core.space.conftest import SignIn
from tests.support.qr_svg import token_in_svg as _token_in


def test_requests_from_every_channel_with_their_timelines(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    online = factories.CaseFactory(resident=resident, subject="Acte de naissance",
                                   origin_channel=Channel.WEB)
    counter = factories.CaseFactory(resident=resident, subject="Carte d'identité",
                                    origin_channel=Channel.COUNTER,
                                    status=CaseStatus.IN_PROGRESS)
    db_session.add(CaseStatusChange(case_id=counter.id, from_status=CaseStatus.NEW,
                                    to_status=CaseStatus.IN_PROGRESS, channel=Channel.PHONE,
                                    note="Pièces reçues par téléphone"))
    factories.InteractionFactory(resident=resident, case_id=counter.id, channel=Channel.PHONE,
                                 outcome=Outcome.CASE_UPDATED)
    factories.InteractionFactory(resident=resident, channel=Channel.MAIL)
    db_session.flush()
    sign_in_as(resident.id)
    page = client.get("/espace/demandes")
    assert page.status_code == 200
    text = unescape(page.text)
    for expected in ("Acte de naissance", "Carte d'identité", "en ligne", "au guichet",
                     "Pièces reçues par téléphone", "demande mise à jour", "par courrier",
                     "en cours de traitement"):
        assert expected in text, expected
    assert online.subject in text


def test_another_residents_data_never_shows(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    me, other = factories.ResidentFactory(), factories.ResidentFactory(given_name="Sophie")
    factories.CaseFactory(resident=other, subject="Demande de Sophie")
    theirs = factories.ContactPointFactory(resident=other, value="+33611112222")
    csrf = sign_in_as(me.id)
    assert "Demande de Sophie" not in unescape(client.get("/espace/demandes").text)
    for url in (f"/espace/coordonnees/{theirs.id}", "/espace/coordonnees/pas-un-id"):
        refused = client.post(url, data={"csrf": csrf, "contact": "non"})
        assert refused.status_code == 404
        assert "ne concerne pas votre dossier" in unescape(refused.text)
        assert "+33611112222" not in refused.text and "06 11 11 22 22" not in refused.text
    # Deleting: the same answer as for a point already deleted (a second click), which
    # says nothing about the other file and deletes nothing.
    for url in (f"/espace/coordonnees/{theirs.id}/suppression",
                "/espace/coordonnees/pas-un-id/suppression"):
        gone = client.post(url, data={"csrf": csrf}, follow_redirects=False)
        assert gone.headers["location"] == "/espace/coordonnees?fait=deja-supprimee"
        page = client.get(gone.headers["location"]).text
        assert "+33611112222" not in page and "06 11 11 22 22" not in page
    assert theirs.contact_allowed is True
    assert db_session.get(type(theirs), theirs.id) is not None


def test_contact_points_change_and_go(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    phone = factories.ContactPointFactory(resident=resident, value="+33612345678",
                                          contact_allowed=True)
    mail = factories.ContactPointFactory(resident=resident, kind=ContactKind.EMAIL,
                                         value="camille@example.fr")
    csrf = sign_in_as(resident.id)
    page = unescape(client.get("/espace/coordonnees").text)
    assert "06 12 34 56 78" in page and "camille@example.fr" in page
    answer = client.post(f"/espace/coordonnees/{phone.id}", data={"csrf": csrf,
                                                                  "contact": "non"},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/espace/coordonnees?fait=coordonnee"
    db_session.refresh(phone)
    assert phone.contact_allowed is False
    assert "mise à jour" in unescape(client.get(answer.headers["location"]).text)
    gone = client.post(f"/espace/coordonnees/{mail.id}/suppression", data={"csrf": csrf})
    assert gone.status_code == 200 and "supprimée" in unescape(gone.text)
    assert db_session.get(ContactPoint, mail.id) is None


def test_consents_are_recorded_by_the_resident_on_the_web(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    page = unescape(client.get("/espace/choix").text)
    assert "être contacté(e) par courriel" in page
    client.post("/espace/choix", data={"csrf": csrf, "contact_email": "oui",
                                       "contact_sms": "non"})
    assert may_contact(db_session=db_session, resident_id=resident.id,
                       purpose=ConsentPurpose.CONTACT_EMAIL)
    changes = list(db_session.scalars(select(ConsentChange).where(
        ConsentChange.resident_id == resident.id)))
    assert {(c.purpose, c.granted, c.source, c.channel, c.agent_id) for c in changes} == {
        (ConsentPurpose.CONTACT_EMAIL, True, ConsentSource.RESIDENT, Channel.WEB, None),
        (ConsentPurpose.CONTACT_SMS, False, ConsentSource.RESIDENT, Channel.WEB, None)}
    client.post("/espace/choix", data={"csrf": csrf, "contact_email": "non"})
    assert not may_contact(db_session=db_session, resident_id=resident.id,
                           purpose=ConsentPurpose.CONTACT_EMAIL)
    assert "par vous" in unescape(client.get("/espace/choix").text)
    bad = client.post("/espace/choix", data={"csrf": csrf, "contact_email": "peut-être"})
    assert bad.status_code == 400 and "Rien n'a été enregistré" in unescape(bad.text)


def test_reminders_opt_in_and_out(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    reminders.create_bundle(db_session=db_session, code="dechets", label="Collecte des déchets")
    reminders.create_bundle(db_session=db_session, code="elections", label="Élections")
    csrf = sign_in_as(resident.id)
    assert "Collecte des déchets" in unescape(client.get("/espace/choix").text)
    client.post("/espace/rappels", data={"csrf": csrf,
                                         "rappel": ["dechets:email", "elections:sms"]})
    active = reminders.active_subscriptions(db_session=db_session, resident_id=resident.id)
    assert {(b.code, s.channel.value, s.subscribed_by) for s, b in active} == {
        ("dechets", "email", ConsentSource.RESIDENT),
        ("elections", "sms", ConsentSource.RESIDENT)}
    consent = db_session.scalar(select(ConsentChange).where(
        ConsentChange.resident_id == resident.id,
        ConsentChange.purpose == ConsentPurpose.REMINDERS))
    assert consent is not None and consent.channel is Channel.WEB
    client.post("/espace/rappels", data={"csrf": csrf, "rappel": ["elections:sms"]})
    active = reminders.active_subscriptions(db_session=db_session, resident_id=resident.id)
    assert [(b.code, s.channel.value) for s, b in active] == [("elections", "sms")]
    ended = db_session.scalar(select(ReminderSubscription).where(
        ReminderSubscription.unsubscribed_at.is_not(None)))
    assert ended is not None and ended.unsubscribed_by is ConsentSource.RESIDENT
    unknown = client.post("/espace/rappels", data={"csrf": csrf, "rappel": ["inventé:email"]})
    assert unknown.status_code == 400


def _badge_form(client: TestClient, csrf: str) -> dict[str, str]:
    """What the page's form sends: its one-time key, the newest QR badge when shown."""
    page = client.get("/espace/badge").text
    found = re.search(r'name="remplace" value="([^"]*)"', page)
    assert found is not None
    return {"csrf": csrf, "remplace": found.group(1)}


def test_a_new_qr_badge_replaces_the_previous_one(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    from crm_core.agents.actor import SYSTEM
    from crm_core.badges import service as badges
    from crm_core.badges.exceptions import BadgeRefused
    from crm_core.config import Settings

    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    assert "pas encore de badge" in unescape(client.get("/espace/badge").text)
    first = client.post("/espace/badge", data=_badge_form(client, csrf))
    assert first.status_code == 200
    assert 'aria-label="Votre badge (code QR) à présenter au guichet"' in unescape(first.text)
    assert first.headers["cache-control"] == "no-store"
    old_token = _token_in(first.text)
    second = client.post("/espace/badge", data=_badge_form(client, csrf))
    new_token = _token_in(second.text)
    settings = Settings()
    found = badges.resolve_token(db_session=db_session, actor=SYSTEM, settings=settings,
                                 token=new_token)
    assert found.resident_id == resident.id
    with pytest.raises(BadgeRefused):  # the QR shown before stops working
        badges.resolve_token(db_session=db_session, actor=SYSTEM, settings=settings,
                             token=old_token)
    listed = list(db_session.scalars(select(Badge).where(Badge.resident_id == resident.id)))
    assert sorted(b.kind for b in listed) == [BadgeKind.QR, BadgeKind.QR]
    assert "révoqué" in unescape(client.get("/espace/badge").text)


def test_who_consulted_my_file_shows_role_site_channel_and_reason(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn,
) -> None:
    resident = factories.ResidentFactory()
    agent = factories.AgentFactory(display_name="Agent Martin")
    actor = Actor(username=agent.username, agent_id=agent.id, role=agent.role,
                  site_id=agent.site_id)
    record_access(db_session=db_session, actor=actor, resident_id=resident.id,
                  operation=AccessOperation.READ_SUMMARY, reason="identity")
    db_session.flush()
    sign_in_as(resident.id)
    page = unescape(client.get("/espace/consultations").text)
    assert "consultation du dossier" in page and "agent d'accueil" in page
    assert agent.site.name in page and "au guichet" in page and "identité" in page
    assert "Agent Martin" not in page  # names hidden unless the city shows them


def test_agent_names_are_shown_when_the_city_says_so(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crm_core.config import get_settings

    monkeypatch.setenv("RELAIS_ACCESS_LOG_SHOWS_AGENT_NAMES", "true")
    get_settings.cache_clear()
    client.app.state.settings = get_settings()  # type: ignore[attr-defined]
    resident = factories.ResidentFactory()
    agent = factories.AgentFactory(display_name="Agent Martin")
    record_access(db_session=db_session, actor=Actor(username=agent.username,
                  agent_id=agent.id, role=agent.role, site_id=agent.site_id),
                  resident_id=resident.id, operation=AccessOperation.OPEN_CASE)
    db_session.flush()
    sign_in_as(resident.id)
    assert "Agent Martin" in unescape(client.get("/espace/consultations").text)


def test_my_data_as_a_page_and_as_json(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory(address_line="3 rue de la Paix")
    factories.CaseFactory(resident=resident, subject="Acte de mariage")
    factories.ContactPointFactory(resident=resident, value="+33612345678")
    sign_in_as(resident.id)
    page = client.get("/espace/mes-donnees")
    assert page.status_code == 200
    assert "3 rue de la Paix" in unescape(page.text) and "Acte de mariage" in unescape(page.text)
    download = client.get("/espace/mes-donnees.json")
    assert download.headers["content-disposition"].startswith("attachment")
    document = download.json()
    assert document["format"] == "relais.resident-export"
    assert document["resident"]["id"] == str(resident.id)
    assert [c["subject"] for c in document["cases"]] == ["Acte de mariage"]
    assert document["contact_points"][0]["value"] == "+33612345678"


def test_rectification_and_erasure_requests_are_stored(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    page = unescape(client.get("/espace/droits").text)
    assert "état civil" in page and "article 17" in page
    empty = client.post("/espace/droits", data={"csrf": csrf, "kind": "rectification"})
    assert empty.status_code == 400 and "ce qui est inexact" in unescape(empty.text)
    too_long = client.post("/espace/droits", data={"csrf": csrf, "kind": "erasure",
                                                   "message": "x" * 2001})
    assert too_long.status_code == 400
    client.post("/espace/droits", data={"csrf": csrf, "kind": "rectification",
                                        "message": "Mon nom s'écrit Durand, pas Durant"})
    filed = client.post("/espace/droits", data={"csrf": csrf, "kind": "erasure"})
    assert "Votre demande est enregistrée" in unescape(filed.text)
    assert "en attente de traitement" in unescape(filed.text)
    stored = list(db_session.scalars(select(PrivacyRequest).where(
        PrivacyRequest.resident_id == resident.id)))
    assert sorted(r.kind for r in stored) == [PrivacyRequestKind.ERASURE,
                                              PrivacyRequestKind.RECTIFICATION]


def test_home_and_the_accessibility_statement(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory(given_name="Camille")
    factories.CaseFactory(resident=resident, subject="Inscription scolaire",
                          due_date=date.today() + timedelta(days=3))
    statement = client.get("/espace/accessibilite")  # public, no sign-in
    assert statement.status_code == 200 and "RGAA" in unescape(statement.text)
    sign_in_as(resident.id)
    home = unescape(client.get("/espace/").text)
    assert "Bonjour Camille" in home and "Inscription scolaire" in home


def test_a_long_consultation_log_says_where_the_rest_is(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crm_core.space import router

    monkeypatch.setattr(router, "CONSULTATIONS_SHOWN", 2)
    resident = factories.ResidentFactory()
    agent = factories.AgentFactory()
    actor = Actor(username=agent.username, agent_id=agent.id, role=agent.role,
                  site_id=agent.site_id)
    for _ in range(3):
        record_access(db_session=db_session, actor=actor, resident_id=resident.id,
                      operation=AccessOperation.READ_SUMMARY)
    db_session.flush()
    sign_in_as(resident.id)
    page = unescape(client.get("/espace/consultations").text)
    assert "Les 2 plus récentes sont affichées" in page
    assert page.count("consultation du dossier") == 2
    assert len(client.get("/espace/mes-donnees.json").json()["consultations"]) == 3


def test_new_qr_codes_are_limited_per_day(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crm_core.space import service

    monkeypatch.setattr(service, "BADGES_PER_DAY", 2)
    csrf = sign_in_as(factories.ResidentFactory().id)
    for _ in range(2):
        assert client.post("/espace/badge",
                           data=_badge_form(client, csrf)).status_code == 200
    refused = client.post("/espace/badge", data=_badge_form(client, csrf))
    assert refused.status_code == 400 and "réessayez demain" in unescape(refused.text)


@pytest.mark.parametrize(("days", "said"), [(365, "un an"), (90, "90 jours"), (730, "2 ans")])
def test_the_log_is_said_kept_as_long_as_the_city_keeps_it(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn,
    monkeypatch: pytest.MonkeyPatch, days: int, said: str,
) -> None:
    """An outside look: with RELAIS_AUDIT_RETENTION_DAYS=30 the pages still promised
    « douze mois »."""
    from tests.support.finds import reread_settings

    monkeypatch.setenv("RELAIS_AUDIT_RETENTION_DAYS", str(days))
    reread_settings(client.app)
    sign_in_as(factories.ResidentFactory().id)
    assert f"il est conservé {said}." in unescape(client.get("/espace/consultations").text)
    assert f"est conservé {said} : il prouve" in unescape(client.get("/espace/droits").text)


def test_the_footer_names_every_cookie_the_space_sets(client: TestClient) -> None:
    """Third outside look at issue 21: « seul un cookie de session » while the sign-in and
    the badge's QR code set one each."""
    page = unescape(client.get("/espace/connexion").text)
    assert "seul un cookie" not in page
    assert "pendant la connexion" in page and "code QR" in page
