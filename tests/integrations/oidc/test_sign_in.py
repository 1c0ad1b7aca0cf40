"""Sign-in against a real OpenID provider (npm `oidc-provider`) on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.recognition.indexing import reindex_residents
from crm_core.residents.enums import ContactKind
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from integrations.models import AccountLinkProposal, OidcLogin
from tests.integrations.oidc.provider import Provider, sign_in

pytestmark = pytest.mark.usefixtures("online_account")


def getter(client: TestClient) -> Callable[[str], Any]:
    return lambda path: client.get(path, follow_redirects=False)


def _links(db_session: Session) -> list[AccountLink]:
    return list(db_session.scalars(select(AccountLink)))


def test_the_authorization_request_uses_pkce_state_and_nonce(
    client: TestClient, db_session: Session, online_account: Provider
) -> None:
    response = client.get("/integrations/account/login", follow_redirects=False)
    location = urlsplit(response.headers["location"])
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert location.geturl().startswith(online_account.issuer)
    assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
    login = db_session.get(OidcLogin, params["state"])
    assert login is not None and login.nonce == params["nonce"]
    assert "openid" in params["scope"].split()


def test_a_first_sign_in_of_an_unknown_person_creates_a_linked_resident(
    client: TestClient, db_session: Session
) -> None:
    answer = sign_in(getter(client), "camille")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["outcome"], body["subject"]) == ("created", "fc-camille-8f2a")
    resident = db_session.get(Resident, __import__("uuid").UUID(body["resident_id"]))
    assert resident is not None
    assert (resident.given_name, resident.family_name, str(resident.birth_date)) == (
        "Camille", "Durand", "1984-03-12")
    points = {(p.kind, p.value) for p in db_session.scalars(select(ContactPoint))}
    assert points == {(ContactKind.EMAIL, "camille.durand@example.fr")}  # phone unverified
    again = sign_in(getter(client), "camille").json()
    assert (again["outcome"], again["resident_id"]) == ("linked", body["resident_id"])
    assert len(_links(db_session)) == 1


def test_a_verified_identity_matching_a_resident_is_proposed_then_confirmed(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    known = factories.ResidentFactory(given_name="Camille", family_name="Durand")
    factories.ContactPointFactory(resident=known, kind=ContactKind.EMAIL,
                                  value="autre@example.fr")
    reindex_residents(db_session=db_session, resident_ids=[known.id])
    body = sign_in(getter(client), "camille").json()
    assert body["outcome"] == "proposed" and body["resident_id"] is None
    assert body["proposal"]["birth_date"] == "1984-03-12"
    assert _links(db_session) == []  # nothing linked before the person says so
    confirmed = client.post(f"/integrations/account/proposals/{body['proposal_token']}",
                            json={"accept": True}).json()
    assert (confirmed["outcome"], confirmed["resident_id"]) == ("linked", str(known.id))
    [link] = _links(db_session)
    assert (link.resident_id, link.subject) == (known.id, "fc-camille-8f2a")
    reused = client.post(f"/integrations/account/proposals/{body['proposal_token']}",
                         json={"accept": True})
    assert (reused.status_code, reused.json()["code"]) == (404, "proposal_not_found")


def test_a_refused_proposal_makes_a_new_resident(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    known = factories.ResidentFactory(given_name="Camille", family_name="Durand")
    reindex_residents(db_session=db_session, resident_ids=[known.id])
    token = sign_in(getter(client), "camille").json()["proposal_token"]
    refused = client.post(f"/integrations/account/proposals/{token}",
                          json={"accept": False}).json()
    assert refused["outcome"] == "created" and refused["resident_id"] != str(known.id)
    proposal = db_session.scalar(select(AccountLinkProposal))
    assert proposal is not None and proposal.decided_at is not None


def test_an_email_alone_never_links(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    other = factories.ResidentFactory(given_name="Sophie", family_name="Leroy",
                                      birth_date=None)
    factories.ContactPointFactory(resident=other, kind=ContactKind.EMAIL,
                                  value="camille.durand@example.fr")
    reindex_residents(db_session=db_session, resident_ids=[other.id])
    body = sign_in(getter(client), "camille").json()
    assert body["outcome"] == "created" and body["resident_id"] != str(other.id)


def test_an_approximate_birth_date_is_never_a_sure_match(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    from datetime import date

    namesake = factories.ResidentFactory(given_name="Jean", family_name="Martin",
                                         birth_date=date(1950, 1, 1))
    reindex_residents(db_session=db_session, resident_ids=[namesake.id])
    body = sign_in(getter(client), "jean").json()
    assert body["outcome"] == "created"


def test_identity_claims_are_only_trusted_when_the_provider_vouches_for_them(
    client: TestClient, db_session: Session, factories: ModuleType,
    configure: Callable[..., None],
) -> None:
    configure(oidc_identity_verified="false")
    known = factories.ResidentFactory(given_name="Camille", family_name="Durand")
    reindex_residents(db_session=db_session, resident_ids=[known.id])
    assert sign_in(getter(client), "camille").json()["outcome"] == "created"


def test_bad_callbacks_are_refused(client: TestClient, db_session: Session) -> None:
    forged = client.get("/integrations/account/callback",
                        params={"state": "inventé", "code": "x"})
    assert (forged.status_code, forged.json()["code"]) == (400, "oidc_error")
    start = client.get("/integrations/account/login", follow_redirects=False)
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    bad_code = client.get("/integrations/account/callback",
                          params={"state": state, "code": "pas-un-vrai-code"})
    assert bad_code.status_code == 400
    assert "refusé" in bad_code.json()["detail"]
    replay = client.get("/integrations/account/callback",
                        params={"state": state, "code": "pas-un-vrai-code"})
    assert "déjà utilisée" in replay.json()["detail"]  # a state serves once
    denied = client.get("/integrations/account/login", follow_redirects=False)
    state = parse_qs(urlsplit(denied.headers["location"]).query)["state"][0]
    answer = client.get("/integrations/account/callback",
                        params={"state": state, "error": "access_denied"})
    assert "access_denied" in answer.json()["detail"]
    assert db_session.scalar(select(Resident)) is None


def test_an_account_without_names_cannot_be_linked(client: TestClient) -> None:
    answer = sign_in(getter(client), "sans-nom")
    assert answer.status_code == 400
    assert "nom" in answer.json()["detail"]


def test_a_wrong_password_stays_at_the_provider(client: TestClient) -> None:
    page = sign_in(getter(client), "camille", password="faux")
    assert "incorrect" in page.text


def test_an_id_token_for_another_nonce_is_refused(client: TestClient, db_session: Session) -> None:
    def tamper(url: str) -> None:
        state = parse_qs(urlsplit(url).query)["state"][0]
        login = db_session.get(OidcLogin, state)
        assert login is not None
        login.nonce = "un-autre-nonce"
        db_session.flush()

    answer = sign_in(getter(client), "camille", after_start=tamper)
    assert answer.status_code == 400
    assert "Jeton d'identité refusé" in answer.json()["detail"]
    assert _links(db_session) == []


def test_an_id_token_not_signed_by_the_provider_is_refused(online_account: Provider) -> None:
    import time

    from joserfc import jwt
    from joserfc.jwk import RSAKey

    from integrations.account.backend import AuthlibOnlineAccount
    from integrations.exceptions import OidcError
    from tests.integrations.oidc.provider import CLIENT_ID, CLIENT_SECRET

    account = AuthlibOnlineAccount(issuer=online_account.issuer, client_id=CLIENT_ID,
                                   client_secret=CLIENT_SECRET,
                                   redirect_uri=online_account.redirect_uri, scopes="openid")
    now = int(time.time())
    forged = jwt.encode({"alg": "RS256", "kid": "relais-test"},
                        {"iss": online_account.issuer, "aud": CLIENT_ID, "sub": "x",
                         "iat": now, "exp": now + 60, "nonce": "n"},
                        RSAKey.generate_key(2048))
    with pytest.raises(OidcError, match="refusé"):
        account.verify_id_token(forged, "n")
