"""Journey 4, end to end over loopback: the resident signs in to their space with the
city's online account (a real OpenID provider), sees their requests from several
channels, shows their badge to a counter agent, changes a consent, opts in and out of
reminders, sees the agents' consultations, downloads their data and asks for erasure;
a supervisor sees the request and finishes it."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import httpx
import pytest

from crm_core.cases.schemas import ServiceCreate
from crm_core.cases.service import create_service
from crm_core.reminders import service as reminders
from integrations.webhooks.signature import new_secret, signed_headers
from tests.integrations.oidc.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    node_available,
    running_provider,
    sign_in,
)
from tests.support.qr_svg import token_in_svg
from tests.support.required import missing

INBOUND_SECRET = new_secret()
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert found, page.text[:300]
    return found.group(1)


def _agent(relais: httpx.Client, username: str) -> dict[str, str]:
    token = relais.post("/api/v1/auth/token",
                        data={"username": username, "password": "secret-pass"}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_the_resident_sees_and_controls_their_data(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not node_available():
        missing("node and tests/integrations/oidc/node_modules are needed (npm ci)")
    with live_server.session() as session:
        create_service(db_session=session, data=ServiceCreate(
            code="etat-civil", label="État civil", announced_delay_days=10))
        reminders.create_bundle(db_session=session, code="dechets",
                                label="Collecte des déchets")
        session.commit()
    callback = f"{live_server.url}/integrations/account/callback"
    with running_provider(callback) as provider, httpx.Client(
            base_url=live_server.url, timeout=10, follow_redirects=True) as browser, httpx.Client(
            base_url=live_server.url, timeout=10) as api:
        for name, value in {
            "WEBHOOK_SOURCES": json.dumps({"portail": {"secrets": [INBOUND_SECRET]}}),
            "OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_REDIRECT_URI": callback,
        }.items():
            monkeypatch.setenv(f"RELAIS_{name}", value)
        live_server.reread_settings()

        # 1. Sign-in with the online account: a session, and the space.
        back = sign_in(lambda path: browser.get(path, headers=HTML, follow_redirects=False),
                       "camille")
        assert (back.status_code, back.headers["location"]) == (303, "/espace/")
        assert "Bonjour Camille Durand" in browser.get("/espace/", headers=HTML).text

        # 2. Requests on several channels: online (the platform's webhook), at the
        #    counter, and a call logged by the phone desk.
        body = json.dumps({"type": "case.submitted", "timestamp": "2026-12-01T09:00:00Z",
                           "data": {"id": "DEM-77", "service": "etat-civil",
                                    "subject": "Copie d'acte de naissance",
                                    "resident": {"account": {"subject": "fc-camille-8f2a"},
                                                 "given_name": "Camille",
                                                 "family_name": "Durand"}}})
        assert api.post("/integrations/webhooks/portail", content=body, headers=signed_headers(
            secrets_=[INBOUND_SECRET], msg_id="msg_77", body=body)).status_code == 200
        counter = _agent(api, "accueil")
        found = api.get("/api/v1/lookup", params={"account": "compte-unique:fc-camille-8f2a"},
                        headers=counter)
        assert found.status_code == 200, found.text
        resident_id = found.json()["resident"]["id"]
        opened = api.post("/api/v1/cases", headers=counter, json={
            "resident_id": resident_id, "service_code": "etat-civil",
            "subject": "Carte nationale d'identité"})
        assert opened.status_code == 201, opened.text
        phone = _agent(api, "telephone")
        assert api.post("/api/v1/interactions", headers=phone, json={
            "resident_id": resident_id, "case_reference": opened.json()["reference"],
            "outcome": "documents_received", "note": "Photo d'identité reçue"}
        ).status_code == 201
        requests_page = unescape(browser.get("/espace/demandes").text)
        for seen in ("Copie d'acte de naissance", "Carte nationale d'identité", "en ligne",
                     "au guichet", "par téléphone", "Photo d'identité reçue"):
            assert seen in requests_page, seen

        # 3. The badge: a fresh QR, which the counter agent scans.
        badge_page = browser.get("/espace/badge")
        replaces = re.search(r'name="remplace" value="([^"]*)"', badge_page.text)
        assert replaces is not None  # the form's one-time key: a double click issues one
        shown = browser.post("/espace/badge", data={"csrf": _csrf(badge_page),
                                                    "remplace": replaces.group(1)})
        assert shown.history and shown.history[0].status_code == 303  # Post/Redirect/Get
        reloaded = browser.get(str(shown.url))  # the resident reloads the page: no new badge
        assert "<svg" not in reloaded.text and "déjà été" in unescape(reloaded.text)
        scanned = api.get("/api/v1/lookup", params={"badge": token_in_svg(shown.text)},
                          headers=counter)
        assert scanned.status_code == 200 and scanned.json()["resident"]["id"] == resident_id

        # 4. Consents and reminders, changed by the resident, seen by the agents.
        csrf = _csrf(browser.get("/espace/choix"))
        assert browser.post("/espace/choix", data={"csrf": csrf, "contact_email": "oui"}
                            ).status_code == 200
        consents = api.get(f"/api/v1/residents/{resident_id}/consents", headers=counter).json()
        email = next(c for c in consents["consents"] if c["purpose"] == "contact_email")
        assert (email["granted"], email["source"], email["channel"]) == (True, "resident",
                                                                         "web")
        # One answer everywhere: an e-mail kept for contact at the counter, then "no" to
        # e-mails in "Mes choix": the counter, the space and the sending agree.
        assert api.post(f"/api/v1/residents/{resident_id}/contact-points", headers=counter,
                        json={"kind": "email", "value": "camille.durand@example.fr",
                              "contact_allowed": True, "channel": "counter"}
                        ).status_code == 201
        card = api.get(f"/api/v1/residents/{resident_id}/summary", headers=counter).json()
        assert [p["contact_ways"] for p in card["contact_points"]] == [["email"]]
        assert browser.post("/espace/choix", data={"csrf": csrf, "contact_email": "non"}
                            ).status_code == 200
        card = api.get(f"/api/v1/residents/{resident_id}/summary", headers=counter).json()
        assert [p["contact_ways"] for p in card["contact_points"]] == [[]]
        assert "no_email_contact" in card["flags"]
        assert "la mairie ne vous contacte pas ici" in unescape(
            browser.get("/espace/coordonnees").text)
        history = [(c["purpose"], c["granted"]) for c in api.get(
            f"/api/v1/residents/{resident_id}/consents", headers=counter).json()["history"]]
        assert history == [("contact_email", False), ("contact_email", True)]  # nothing else
        browser.post("/espace/rappels", data={"csrf": csrf, "rappel": "dechets:email"})
        [subscription] = api.get(f"/api/v1/residents/{resident_id}/reminders",
                                 headers=counter).json()
        assert (subscription["bundle"], subscription["subscribed_by"]) == ("dechets",
                                                                           "resident")
        browser.post("/espace/rappels", data={"csrf": csrf})  # every box unticked: out
        assert api.get(f"/api/v1/residents/{resident_id}/reminders",
                       headers=counter).json() == []

        # 5. Who consulted the file: the agents' reads are there, by role and site.
        log = unescape(browser.get("/espace/consultations").text)
        assert "agent d'accueil" in log and "Hôtel de ville" in log
        assert "lecture du badge" in log or "recherche du dossier" in log
        assert "Accueil" not in log.split("<tbody>")[1]  # agents' names hidden by default

        # 6. Download my data.
        document = browser.get("/espace/mes-donnees.json").json()
        assert {c["subject"] for c in document["cases"]} == {
            "Copie d'acte de naissance", "Carte nationale d'identité"}
        assert document["consultations"] and document["resident"]["id"] == resident_id

        # 7. Ask for erasure; a supervisor sees the request and finishes it.
        rights_page = browser.get("/espace/droits")
        filed = browser.post("/espace/droits", data={
            "csrf": _csrf(rights_page), "kind": "erasure", "message": "Je quitte la ville"})
        assert "Votre demande est enregistrée" in unescape(filed.text)
        supervisor = _agent(api, "superviseur")
        [request] = api.get("/api/v1/privacy-requests", headers=supervisor).json()
        assert (request["resident_id"], request["kind"]) == (resident_id, "erasure")
        erased = api.post(f"/api/v1/residents/{resident_id}/erasure", headers=supervisor,
                          json={"reason": "demande de l'usager depuis son espace"})
        assert erased.status_code == 200, erased.text
        assert api.get("/api/v1/privacy-requests", headers=supervisor).json() == []
        [done] = api.get("/api/v1/privacy-requests", params={"status": "done"},
                         headers=supervisor).json()
        assert done["id"] == request["id"]
        ended = browser.get("/espace/", follow_redirects=False)  # signed out by the erasure
        assert (ended.status_code, ended.headers["location"]) == (303, "/espace/connexion")
