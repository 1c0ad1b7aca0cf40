"""Bad input on the resident pages: no session, expired or ended sessions, a pending
account, CSRF, oversized bodies — refused clearly, logged, nothing leaked or changed."""

from __future__ import annotations

import logging
from datetime import timedelta
from html import unescape
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.privacy.models import ConsentChange
from crm_core.space.models import ResidentSession
from crm_core.space.sessions import COOKIE, cookie_secure
from tests.crm_core.space.conftest import SignIn

PAGES = ["/espace/", "/espace/demandes", "/espace/badge", "/espace/coordonnees",
         "/espace/choix", "/espace/consultations", "/espace/mes-donnees",
         "/espace/mes-donnees.json", "/espace/droits"]


def test_without_a_session_every_page_sends_to_sign_in(client: TestClient) -> None:
    for url in PAGES:
        answer = client.get(url, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/espace/connexion")
    client.cookies.set(COOKIE, "invente")
    assert client.get("/espace/", follow_redirects=False).status_code == 303
    assert client.get("/espace/connexion").status_code == 200


def test_security_headers(client: TestClient, factories: ModuleType, sign_in_as: SignIn
                          ) -> None:
    sign_in_as(factories.ResidentFactory().id)
    for url in [*PAGES, "/espace/connexion", "/espace/accessibilite"]:
        headers = client.get(url).headers
        assert "default-src 'self'" in headers["content-security-policy"], url
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers  # plain HTTP here
    https = TestClient(client.app, base_url="https://testserver")
    assert "max-age" in https.get("/espace/connexion").headers["strict-transport-security"]


def test_forms_without_the_sessions_csrf_token_change_nothing(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    resident, other = factories.ResidentFactory(), factories.ResidentFactory()
    other_csrf = sign_in_as(other.id)
    sign_in_as(resident.id)
    with caplog.at_level(logging.WARNING, logger="relais.security"):
        for token in ("", "0" * 64, other_csrf):
            refused = client.post("/espace/choix", data={"csrf": token,
                                                         "contact_email": "oui"})
            assert refused.status_code == 403
            assert "Rien n'a été enregistré" in unescape(refused.text)
    assert db_session.scalar(select(ConsentChange)) is None
    assert any("CSRF" in record.getMessage() for record in caplog.records)


def test_oversized_forms_are_refused_with_a_page(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn
) -> None:
    csrf = sign_in_as(factories.ResidentFactory().id)
    answer = client.post("/espace/droits", data={"csrf": csrf, "kind": "erasure",
                                                 "message": "x" * 40_000})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "Envoi trop volumineux" in unescape(answer.text)
    assert "Aller au contenu" in answer.text  # the space's layout


def test_a_wrong_method_on_a_page_answers_a_french_page(
    client: TestClient, factories: ModuleType, sign_in_as: SignIn
) -> None:
    """Outside test: a POST to a page that takes no form (or a PUT, a DELETE) answered the
    API's problem+json; the space promises its own French pages."""
    csrf = sign_in_as(factories.ResidentFactory().id)
    for method, path in (("POST", "/espace/coordonnees"), ("PUT", "/espace/choix"),
                         ("DELETE", "/espace/"), ("PATCH", "/espace/nulle-part"),
                         ("POST", "/rappels/desabonnement/autre")):
        answer = client.request(method, path, data={"csrf": csrf})
        assert answer.status_code in (404, 405), (method, path)
        assert answer.headers["content-type"].startswith("text/html"), (method, path)
        if answer.status_code == 405:
            assert "GET" in answer.headers["allow"]
            assert "Rien n'a été enregistré" in unescape(answer.text)
    assert "Aller au contenu" in client.post("/espace/coordonnees").text  # the layout
    api = client.put("/api/v1/health")
    assert (api.status_code, api.headers["content-type"]) == (405, "application/problem+json")


def test_expired_and_ended_sessions_are_refused(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    csrf = sign_in_as(factories.ResidentFactory().id)
    signed_out = client.post("/espace/deconnexion", data={"csrf": csrf},
                             follow_redirects=False)
    assert signed_out.status_code == 303  # Post/Redirect/Get, like every form
    assert signed_out.headers["set-cookie"].startswith(f'{COOKIE}=""; ')
    assert "Max-Age=0" in signed_out.headers["set-cookie"]
    assert "déconnecté" in unescape(client.get(signed_out.headers["location"]).text)
    assert client.get("/espace/", follow_redirects=False).status_code == 303
    [row] = db_session.scalars(select(ResidentSession))
    assert row.ended_at is not None
    sign_in_as(factories.ResidentFactory().id)
    live = db_session.scalars(select(ResidentSession).where(
        ResidentSession.ended_at.is_(None))).one()
    live.expires_at = live.created_at - timedelta(seconds=1)
    db_session.flush()
    assert client.get("/espace/", follow_redirects=False).status_code == 303


def test_a_session_of_an_erased_resident_is_over(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    from crm_core.agents.actor import SYSTEM
    from crm_core.rights.erasure import erase_resident

    resident = factories.ResidentFactory()
    sign_in_as(resident.id)
    erase_resident(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                   reason="demande de l'usager")
    assert client.get("/espace/", follow_redirects=False).status_code == 303
    assert db_session.scalar(select(ResidentSession)) is None


def test_an_account_not_yet_linked_gets_the_pending_page(
    client: TestClient, sign_in_as: SignIn
) -> None:
    sign_in_as(None)
    page = client.get("/espace/demandes")
    assert page.status_code == 403
    assert "pas encore rattaché" in unescape(page.text)


def test_the_cookie_is_secure_outside_loopback_http() -> None:
    from crm_core.config import Settings

    assert cookie_secure(Settings(public_url="https://mairie.example"))
    assert cookie_secure(Settings(public_url="http://mairie.example"))
    assert not cookie_secure(Settings(public_url="http://127.0.0.1:8000"))


def test_unknown_pages_and_an_unconfigured_sign_in(client: TestClient) -> None:
    unknown = client.get("/espace/demandes/7K4M-2XA")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    page = unescape(client.get("/espace/connexion").text)
    assert "pas encore ouverte" in page and "/integrations/account/login" not in page


def test_a_session_follows_a_merge_to_the_surviving_file(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    from crm_core.residents.enums import ResidentStatus

    survivor = factories.ResidentFactory(given_name="Camille")
    merged = factories.ResidentFactory(given_name="Camile")
    factories.CaseFactory(resident=survivor, subject="Demande du dossier gardé")
    sign_in_as(merged.id)
    merged.status, merged.merged_into_id = ResidentStatus.MERGED, survivor.id
    db_session.flush()
    assert "Demande du dossier gardé" in unescape(client.get("/espace/demandes").text)


def test_a_form_sent_after_the_session_ended_says_nothing_was_saved(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    """Outside look at issue 21: the form went to the sign-in page without a word, and
    the resident believed their choices recorded."""
    csrf = sign_in_as(factories.ResidentFactory().id)
    live = db_session.scalars(select(ResidentSession)).one()
    live.expires_at = live.created_at - timedelta(seconds=1)
    db_session.flush()
    sent = client.post("/espace/choix", data={"csrf": csrf}, follow_redirects=False)
    assert sent.status_code == 303
    location = sent.headers["location"]
    assert location.startswith("/espace/connexion?") and csrf not in location
    page = unescape(client.get(location).text)
    assert ("Votre session a pris fin : ce que vous veniez d'envoyer n'a pas été"
            " enregistré. Connectez-vous puis recommencez.") in page
    # A page merely opened after the end says nothing of the kind.
    opened = client.get("/espace/choix", follow_redirects=False)
    assert opened.headers["location"] == "/espace/connexion"
