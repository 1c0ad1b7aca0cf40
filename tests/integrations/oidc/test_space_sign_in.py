"""A browser signs in to the resident space through the real OpenID provider."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.recognition.indexing import reindex_residents
from crm_core.residents.models import AccountLink
from crm_core.space.models import ResidentSession
from crm_core.space.sessions import COOKIE
from tests.integrations.oidc.provider import sign_in

pytestmark = pytest.mark.usefixtures("online_account")
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def browser(client: TestClient) -> Callable[[str], Any]:
    return lambda path: client.get(path, headers=HTML, follow_redirects=False)


def test_a_browser_gets_a_session_and_lands_in_the_space(
    client: TestClient, db_session: Session
) -> None:
    back = sign_in(browser(client), "camille")
    assert (back.status_code, back.headers["location"]) == (303, "/espace/")
    cookie = back.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=3600" in cookie
    [row] = db_session.scalars(select(ResidentSession))
    assert row.subject == "fc-camille-8f2a" and row.resident_id is not None
    assert row.token_hash not in cookie  # only the hash is stored, never the cookie
    home = client.get("/espace/", headers=HTML)
    assert home.status_code == 200 and "Bonjour Camille Durand" in home.text


def test_a_proposed_file_waits_for_the_persons_confirmation(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    known = factories.ResidentFactory(given_name="Camille", family_name="Durand")
    reindex_residents(db_session=db_session, resident_ids=[known.id])
    page = sign_in(browser(client), "camille")
    assert page.status_code == 200
    text = unescape(page.text)
    assert "Est-ce bien votre dossier ?" in text and "12/03/1984" not in text
    assert "1984-03-12" in text
    assert db_session.scalar(select(AccountLink)) is None  # nothing linked yet
    pending = client.get("/espace/demandes", headers=HTML)
    assert pending.status_code == 403 and "pas encore rattaché" in unescape(pending.text)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    token = re.search(r'name="jeton" value="([^"]+)"', page.text)
    assert csrf and token
    forged = client.post("/espace/rattachement", data={"jeton": token.group(1),
                                                       "choix": "oui"})
    assert forged.status_code == 403
    confirmed = client.post("/espace/rattachement", data={
        "csrf": csrf.group(1), "jeton": token.group(1), "choix": "oui"},
        follow_redirects=False)
    assert confirmed.headers["location"] == "/espace/?fait=rattache"
    [link] = db_session.scalars(select(AccountLink))
    assert link.resident_id == known.id
    assert "rattaché à votre dossier" in unescape(client.get(confirmed.headers["location"]).text)


def test_a_refused_sign_in_is_a_readable_page(client: TestClient) -> None:
    answer = sign_in(browser(client), "sans-nom")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "Connexion impossible" in unescape(answer.text)
    forged = client.get("/integrations/account/callback", headers=HTML,
                        params={"state": "inventé", "code": "x"})
    assert forged.status_code == 400 and "Connexion impossible" in unescape(forged.text)


def test_a_callback_started_in_another_browser_signs_nobody_in(
    client: TestClient, db_session: Session, app: Any
) -> None:
    """Login CSRF: someone's own callback URL (state and code) opened in a victim's
    browser must not sign the victim in as that someone."""
    captured: dict[str, str] = {}

    def attacker_get(path: str) -> Any:
        if path.startswith("/integrations/account/callback"):
            captured["url"] = path
            return client.get("/espace/connexion")  # the attacker stops here
        return client.get(path, headers=HTML, follow_redirects=False)

    sign_in(attacker_get, "camille")
    assert "url" in captured
    with TestClient(app) as victim:
        answer = victim.get(captured["url"], headers=HTML, follow_redirects=False)
    assert answer.status_code == 400
    assert "pas été commencée dans ce navigateur" in unescape(answer.text)
    assert COOKIE not in answer.headers.get("set-cookie", "")
    assert db_session.scalar(select(ResidentSession)) is None


@pytest.mark.parametrize("accept", ["application/json", "*/*", ""])
def test_a_callback_started_elsewhere_is_refused_whatever_it_accepts(
    accept: str, client: TestClient, db_session: Session, app: Any
) -> None:
    """The binding is not a matter of presentation: a client asking for JSON (or for
    anything) with someone else's callback URL gets nothing either."""
    captured: dict[str, str] = {}

    def attacker_get(path: str) -> Any:
        if path.startswith("/integrations/account/callback"):
            captured["url"] = path
            return client.get("/espace/connexion")
        return client.get(path, follow_redirects=False)

    sign_in(attacker_get, "camille")
    with TestClient(app) as other:
        answer = other.get(captured["url"], headers={"accept": accept},
                           follow_redirects=False)
    assert answer.status_code == 400, answer.text
    assert "pas été commencée dans ce navigateur" in answer.json()["detail"]
    assert "resident_id" not in answer.text and "proposal" not in answer.text
    assert db_session.scalar(select(AccountLink)) is None
    assert db_session.scalar(select(ResidentSession)) is None


def test_not_my_file_makes_a_new_one_and_signs_in(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    known = factories.ResidentFactory(given_name="Camille", family_name="Durand")
    reindex_residents(db_session=db_session, resident_ids=[known.id])
    page = sign_in(browser(client), "camille")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    token = re.search(r'name="jeton" value="([^"]+)"', page.text)
    assert csrf and token
    no_choice = client.post("/espace/rattachement", data={"csrf": csrf.group(1),
                                                          "jeton": token.group(1)})
    assert no_choice.status_code == 400
    refused = client.post("/espace/rattachement", data={
        "csrf": csrf.group(1), "jeton": token.group(1), "choix": "non"})
    assert refused.status_code == 200
    [link] = db_session.scalars(select(AccountLink))
    assert link.resident_id != known.id
    [row] = db_session.scalars(select(ResidentSession))
    assert row.resident_id == link.resident_id
    replay = client.post("/espace/rattachement", data={
        "csrf": csrf.group(1), "jeton": token.group(1), "choix": "oui"},
        follow_redirects=False)
    assert replay.headers["location"] == "/espace/?fait=rattache"  # already signed in
    [link] = db_session.scalars(select(AccountLink))
    assert link.resident_id != known.id  # the used proposal changed nothing
