"""One model of consent (issue 19, points 6 and 7): every screen shows the same answer,
and the history holds only the answers the resident gave."""

from __future__ import annotations

from html import unescape
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.channels import Channel
from crm_core.consent.service import set_consent
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.privacy.models import ConsentChange
from crm_core.residents.enums import ContactKind
from crm_core.summary.service import build_summary
from tests.crm_core.space.conftest import SignIn
from tests.support.clock import city_day


def _history(db_session: Session, resident_id: object) -> list[tuple[ConsentPurpose, bool]]:
    return [(c.purpose, c.granted) for c in db_session.scalars(
        select(ConsentChange).where(ConsentChange.resident_id == resident_id)
        .order_by(ConsentChange.changed_at, ConsentChange.id))]


def test_changing_only_the_sms_answer_records_only_that_answer(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    set_consent(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                purpose=ConsentPurpose.CONTACT_EMAIL, granted=True, source=ConsentSource.AGENT)
    csrf = sign_in_as(resident.id)
    page = unescape(client.get("/espace/choix").text)
    # What a browser sends back: every radio ticked on the page, plus the one changed.
    ticked = dict(_checked_radios(page))
    assert ticked == {"contact_email": "oui"}  # never asked: nothing ticked in their name
    ticked["contact_sms"] = "oui"
    answer = client.post("/espace/choix", data={"csrf": csrf, **ticked},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert _history(db_session, resident.id) == [(ConsentPurpose.CONTACT_EMAIL, True),
                                                 (ConsentPurpose.CONTACT_SMS, True)]
    [sms] = [c for c in db_session.scalars(select(ConsentChange).where(
        ConsentChange.resident_id == resident.id,
        ConsentChange.purpose == ConsentPurpose.CONTACT_SMS))]
    assert (sms.source, sms.channel, sms.agent_id) == (ConsentSource.RESIDENT, Channel.WEB, None)
    history = unescape(client.get("/espace/choix").text)
    assert history.count("par vous") == 2  # the SMS answer, and its line in the history


def _checked_radios(page: str) -> list[tuple[str, str]]:
    import re

    return [(name, value) for name, value in re.findall(
        r'<input type="radio" id="c-[^"]+" name="([a-z_]+)" value="(oui|non)" checked>', page)]


def test_every_screen_gives_the_same_answer_about_contact(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    # The case: the e-mail is kept for contact ("Mes coordonnées" said yes) but the
    # resident said no to e-mails in "Mes choix".
    resident = factories.ResidentFactory()
    factories.ContactPointFactory(resident=resident, kind=ContactKind.EMAIL,
                                  value="camille@example.fr", contact_allowed=True)
    factories.ContactPointFactory(resident=resident, value="+33649337510",
                                  contact_allowed=True)
    csrf = sign_in_as(resident.id)
    client.post("/espace/choix", data={"csrf": csrf, "contact_email": "non",
                                       "contact_phone": "oui"})
    summary = build_summary(today=city_day(), db_session=db_session, resident_id=resident.id)
    ways = {p["kind"]: p["contact_ways"] for p in summary["contact_points"]}
    assert ways == {ContactKind.EMAIL: [], ContactKind.PHONE: ["call"]}
    assert "no_email_contact" in summary["flags"]
    assert "no_phone_contact" not in summary["flags"]
    points = unescape(client.get("/espace/coordonnees").text)
    assert "la mairie ne vous contacte pas ici (vous n'avez pas accepté" in points
    assert "la mairie peut vous appeler" in points
    assert "La mairie peut-elle vous contacter ici ?" not in points  # no second question
    mine = unescape(client.get("/espace/mes-donnees").text)
    assert "contact accepté" not in mine and "la mairie ne vous contacte pas ici" in mine
    document = client.get("/espace/mes-donnees.json").json()
    assert {p["kind"]: p["contact_ways"] for p in document["contact_points"]} == {
        "email": [], "phone": ["call"]}


def test_a_point_set_aside_is_never_used_whatever_the_consent(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    mail = factories.ContactPointFactory(resident=resident, kind=ContactKind.EMAIL,
                                         value="camille@example.fr", contact_allowed=True)
    csrf = sign_in_as(resident.id)
    client.post("/espace/choix", data={"csrf": csrf, "contact_email": "oui"})
    assert "la mairie peut vous écrire par courriel" in unescape(
        client.get("/espace/coordonnees").text)
    client.post(f"/espace/coordonnees/{mail.id}", data={"csrf": csrf, "contact": "non"})
    summary = build_summary(today=city_day(), db_session=db_session, resident_id=resident.id)
    assert summary["contact_points"][0]["contact_ways"] == []
    assert "la mairie ne vous contacte pas ici" in unescape(
        client.get("/espace/coordonnees").text)


def test_an_answer_recorded_without_its_channel_says_so_rather_than_nothing(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    # Rows from before the channel was kept (a reminder opt-in once) have none.
    resident = factories.ResidentFactory()
    set_consent(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                purpose=ConsentPurpose.REMINDERS, granted=True, source=ConsentSource.RESIDENT)
    sign_in_as(resident.id)
    page = unescape(client.get("/espace/choix").text)
    assert "par vous (canal non enregistré)." in page
    assert "<td>canal non enregistré</td>" in page and "<td>—</td>" not in page
    document = client.get("/espace/mes-donnees.json").json()
    [change] = document["consent_history"]
    assert (change["channel"], change["channel_label"]) == (None, "canal non enregistré")
