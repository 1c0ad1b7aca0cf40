"""Every form of the server's HTML pages answers a success with 303 (Post/Redirect/Get):
reloading the page after it posts nothing again (issue 19, point 8)."""

from __future__ import annotations

from html import unescape
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.badges.models import Badge
from crm_core.space.models import PrivacyRequest
from tests.crm_core.space.conftest import SignIn
from tests.support.qr_svg import token_in_svg


def test_reloading_after_a_new_qr_code_issues_no_other_badge(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    posted = client.post("/espace/badge", data={"csrf": csrf}, follow_redirects=False)
    assert posted.status_code == 303
    assert posted.headers["location"] == "/espace/badge?fait=badge"
    shown = client.get(posted.headers["location"])
    token = token_in_svg(shown.text)
    assert shown.headers["cache-control"] == "no-store"
    reloaded = client.get(posted.headers["location"])  # what F5 does after a redirect
    assert reloaded.status_code == 200
    assert "n'est affiché qu'une fois et l'a déjà été" in unescape(reloaded.text)
    assert token not in reloaded.text and "<svg" not in reloaded.text
    count = db_session.scalar(select(func.count()).select_from(Badge).where(
        Badge.resident_id == resident.id, Badge.revoked_at.is_(None)))
    assert count == 1  # the badge just shown still works


def test_the_handed_over_code_belongs_to_the_session_that_asked(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    posted = client.post("/espace/badge", data={"csrf": csrf}, follow_redirects=False)
    handed = posted.cookies.get("relais_badge")
    assert handed
    sign_in_as(resident.id)  # another session of the same person
    client.cookies.set("relais_badge", handed, path="/espace/badge")
    assert "<svg" not in client.get("/espace/badge").text


def test_every_form_of_the_space_redirects_after_success(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    point = factories.ContactPointFactory(resident=resident, value="+33612345678")
    gone = factories.ContactPointFactory(resident=resident, value="+33612345679")
    csrf = sign_in_as(resident.id)
    for url, data in (
        ("/espace/badge", {}),
        (f"/espace/coordonnees/{point.id}", {"contact": "non"}),
        (f"/espace/coordonnees/{gone.id}/suppression", {}),
        ("/espace/choix", {"contact_sms": "oui"}),
        ("/espace/rappels", {}),
        ("/espace/droits", {"kind": "erasure", "message": ""}),
        ("/espace/deconnexion", {}),
    ):
        answer = client.post(url, data={"csrf": csrf, **data}, follow_redirects=False)
        assert answer.status_code == 303, url


def test_a_refused_rights_request_keeps_what_the_resident_typed(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    csrf = sign_in_as(resident.id)
    answer = client.post("/espace/droits", data={"csrf": csrf, "kind": "",
                                                 "message": "Mon nom s'écrit Lefèvre"})
    assert answer.status_code == 400
    page = unescape(answer.text)
    assert "Choisissez « corriger » ou « effacer »." in page
    assert ">Mon nom s'écrit Lefèvre</textarea>" in page
    assert db_session.scalar(select(func.count()).select_from(PrivacyRequest)) == 0


def test_the_confirmation_link_opened_directly_claims_no_new_code(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    # A bookmark or the history: no POST just issued anything, nothing may say so.
    resident = factories.ResidentFactory()
    sign_in_as(resident.id)
    page = unescape(client.get("/espace/badge?fait=badge").text)
    assert "Un nouveau code QR a été émis" not in page
    assert "l'a déjà été" not in page and "<svg" not in page
    assert db_session.scalar(select(func.count()).select_from(Badge).where(
        Badge.resident_id == resident.id)) == 0
