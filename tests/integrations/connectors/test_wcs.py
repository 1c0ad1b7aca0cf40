from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role
from crm_core.cases import service as cases
from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case
from crm_core.residents.models import AccountLink
from integrations.connectors.wcs.backend import HttpWcsBackend
from integrations.connectors.wcs.router import wcs_backends
from integrations.connectors.wcs.signing import (
    MAX_SKEW,
    BadSignature,
    check_query,
    sign_query,
)
from integrations.exceptions import SignedUrlReused
from integrations.inbound import nonces
from integrations.models import OutboxEvent, SignedUrlNonce
from integrations.outbox.platforms import PlatformTransport
from integrations.outbox.transport import Outgoing
from integrations.settings import SourceConfig
from tests.integrations.conftest import connector_settings
from tests.integrations.connectors.wcs_server import Wcs, form_data, publik_sign, running_wcs
from tests.support.fakes.transport import FakeTransport
from tests.support.fakes.wcs import FakeWcsBackend

KEY = "cle-partagee-publik-relais"


@pytest.fixture
def wcs() -> Iterator[Wcs]:
    with running_wcs(KEY) as server:
        yield server


@pytest.fixture
def publik(configure: Callable[..., None], wcs: Wcs, factories: ModuleType,
           db_session: Session) -> SourceConfig:
    factories.ServiceFactory(code="etat-civil")
    configure({"publik": {
        "kind": "wcs", "api_url": wcs.url, "orig": "relais", "api_key": KEY,
        "inbound_orig": "demarches",
        "services": {"demande-acte": "etat-civil"},
        "status_map": {"1": "new", "2": "in_progress", "3": "closed"},
        "triggers": {"closed": "cloture-relais", "in_progress": "prise-en-charge"},
    }})
    return connector_settings(db_session).webhook_sources["publik"]


def call(client: TestClient, body: dict[str, Any], *, key: str = KEY) -> Any:
    url = publik_sign("http://testserver/integrations/wcs/publik", key, "demarches")
    return post(client, url, body)


def post(client: TestClient, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, content=json.dumps(body), headers={"content-type":
                                                               "application/json"})


def test_our_signed_urls_pass_publik_checks_and_theirs_pass_ours() -> None:
    from tests.integrations.connectors.wcs_server import publik_check

    assert publik_check(sign_query("a=1", key=KEY, orig="relais"), KEY)
    theirs = publik_sign("http://x/y?a=1", KEY, "demarches").split("?", 1)[1]
    assert check_query(theirs, key=KEY).orig == "demarches"
    with pytest.raises(BadSignature):
        check_query(theirs, key="autre-cle")
    with pytest.raises(BadSignature):
        check_query(theirs.replace("a=1", "a=2"), key=KEY)


@pytest.mark.usefixtures("publik")
def test_a_workflow_call_with_the_form_data_opens_the_case(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    resident = factories.ResidentFactory()
    db_session.add(AccountLink(resident_id=resident.id, provider="compte-unique",
                               subject="a1b2c3"))
    db_session.flush()
    response = call(client, form_data(status="2"))
    assert response.status_code == 200, response.text
    assert response.json()["resident_match"] == "account"
    case = db_session.scalar(select(Case).where(Case.external_id == "demande-acte/12"))
    assert case is not None
    assert (case.resident_id, case.external_system, case.status) == (
        resident.id, "publik", CaseStatus.IN_PROGRESS)
    assert "Copie intégrale" in (case.description or "")
    assert call(client, form_data(status="2")).json()["status"] == "duplicate"


@pytest.mark.usefixtures("publik")
def test_a_hint_is_fetched_back_through_the_signed_api(
    client: TestClient, db_session: Session, wcs: Wcs
) -> None:
    wcs.forms["demande-acte/40"] = form_data(40)
    response = call(client, {"id": "demande-acte/40"})
    assert response.status_code == 200, response.text
    assert wcs.origs == ["relais"] and wcs.refused == 0
    assert db_session.scalar(select(Case).where(Case.external_id == "demande-acte/40"))
    missing = call(client, {"id": "demande-acte/41"})
    assert (missing.status_code, missing.json()["code"]) == (502, "platform_unavailable")


@pytest.mark.usefixtures("publik")
def test_unsigned_or_forged_calls_are_refused(client: TestClient, db_session: Session) -> None:
    forged = call(client, form_data(), key="pas-la-bonne-cle")
    assert (forged.status_code, forged.json()["code"]) == (401, "invalid_signature")
    bare = client.post("/integrations/wcs/publik", json=form_data())
    assert bare.status_code == 401
    assert db_session.scalar(select(Case)) is None


@pytest.mark.usefixtures("publik")
def test_the_fake_backend_stands_in_for_the_api(
    app: FastAPI, client: TestClient, db_session: Session
) -> None:
    fake = FakeWcsBackend(forms={"demande-acte/5": form_data(5, status="3")})
    app.dependency_overrides[wcs_backends] = lambda: (lambda _config: fake)
    assert call(client, {"id": "demande-acte/5"}).json()["status"] == "created"
    case = db_session.scalar(select(Case).where(Case.external_id == "demande-acte/5"))
    assert case is not None and case.status is CaseStatus.CLOSED


def test_a_counter_closure_triggers_the_workflow_jump_on_wcs(
    db_session: Session, factories: ModuleType, publik: SourceConfig, wcs: Wcs
) -> None:
    case = factories.CaseFactory(external_system="publik", external_id="demande-acte/12")
    cases.update_case(db_session=db_session, actor=Actor(username="a", role=Role.COUNTER),
                      reference=case.reference, status=CaseStatus.CLOSED, channel=None,
                      note="Acte remis")
    [event] = db_session.scalars(select(OutboxEvent)).all()
    transport = PlatformTransport(webhooks=FakeTransport(),
                                  wcs=lambda config: HttpWcsBackend(config, timeout=2))
    outgoing = Outgoing(event_id="msg_1", target="publik", event_type=event.event_type,
                        payload=event.payload)
    assert transport.send(publik, outgoing).ok
    [(form_id, trigger, payload)] = wcs.jumps
    assert (form_id, trigger, payload["status"]) == ("demande-acte/12", "cloture-relais",
                                                     "closed")
    unmapped = Outgoing(event_id="msg_2", target="publik", event_type=event.event_type,
                        payload={"data": {"id": "demande-acte/12", "status": "resolved"}})
    assert transport.send(publik, unmapped).ok and len(wcs.jumps) == 1


URL = "http://testserver/integrations/wcs/publik"


@pytest.mark.usefixtures("publik")
def test_a_signed_url_serves_once_even_with_another_body(
    client: TestClient, db_session: Session
) -> None:
    url = publik_sign(URL, KEY, "demarches")
    assert post(client, url, form_data(12)).status_code == 200
    replayed = post(client, url, form_data(13, status="3"))
    assert (replayed.status_code, replayed.json()["code"]) == (409, "signed_url_reused")
    assert "autre corps" in replayed.json()["detail"]
    again = post(client, url, form_data(12))  # the same delivery again: its duplicate
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert db_session.scalar(select(Case).where(Case.external_id == "demande-acte/13")) is None
    # Remembered in the database, where every API process looks.
    assert db_session.scalar(select(SignedUrlNonce.source)) == "publik"


@pytest.mark.usefixtures("publik")
def test_a_refused_call_spends_its_url_too(client: TestClient, db_session: Session) -> None:
    url = publik_sign(URL, KEY, "demarches")
    assert post(client, url, {"pas": "de formulaire"}).status_code == 422
    assert post(client, url, form_data(14)).json()["code"] == "signed_url_reused"
    assert db_session.scalar(select(Case)) is None


@pytest.mark.usefixtures("publik")
def test_another_orig_is_refused(client: TestClient, db_session: Session) -> None:
    response = post(client, publik_sign(URL, KEY, "intrus"), form_data())
    assert (response.status_code, response.json()["code"]) == (401, "invalid_signature")
    assert "orig" in response.json()["detail"]
    assert db_session.scalar(select(Case)) is None


def test_without_a_configured_orig_nothing_is_accepted(
    client: TestClient, configure: Callable[..., None], db_session: Session
) -> None:
    configure({"publik": {"kind": "wcs", "api_url": "http://127.0.0.1:9", "orig": "relais",
                          "api_key": KEY}})
    response = post(client, publik_sign(URL, KEY, "demarches"), form_data())
    assert response.status_code == 401 and "inbound_orig" in response.json()["detail"]


@pytest.mark.usefixtures("publik")
def test_a_signed_digest_or_form_binds_the_body(client: TestClient, db_session: Session) -> None:
    body = form_data(15)
    digest = hashlib.sha256(json.dumps(body).encode()).hexdigest()
    signed = post(client, publik_sign(f"{URL}?body_sha256={digest}", KEY, "demarches"), body)
    assert signed.status_code == 200, signed.text
    other = post(client, publik_sign(f"{URL}?body_sha256={digest}", KEY, "demarches"),
                 form_data(16))
    assert (other.status_code, other.json()["code"]) == (401, "invalid_signature")
    wrong_form = post(client, publik_sign(f"{URL}?form=demande-acte/15", KEY, "demarches"),
                      form_data(16))
    assert wrong_form.status_code == 401
    assert db_session.scalar(select(Case).where(Case.external_id == "demande-acte/16")) is None


@pytest.mark.usefixtures("publik")
def test_a_refused_body_spends_the_url_too(client: TestClient, db_session: Session) -> None:
    """Outside test of issue 20: a body not the one signed left the nonce unspent, and the
    URL could be tried again with other bodies. Any call past the signature spends it."""
    body = form_data(19)
    digest = hashlib.sha256(json.dumps(body).encode()).hexdigest()
    url = publik_sign(f"{URL}?body_sha256={digest}", KEY, "demarches")
    assert post(client, url, form_data(20)).json()["code"] == "invalid_signature"
    assert post(client, url, body).json()["code"] == "signed_url_reused"
    other_orig = publik_sign(URL, KEY, "intrus")
    assert post(client, other_orig, form_data(21)).json()["code"] == "invalid_signature"
    # The same call again is checked again, and refused again the same way.
    assert post(client, other_orig, form_data(21)).json()["code"] == "invalid_signature"
    assert db_session.scalar(select(Case)) is None
    assert len(db_session.scalars(select(SignedUrlNonce.nonce)).all()) == 2


def test_a_source_may_require_the_binding(
    client: TestClient, configure: Callable[..., None], factories: ModuleType, wcs: Wcs
) -> None:
    factories.ServiceFactory(code="etat-civil")
    configure({"publik": {"kind": "wcs", "api_url": wcs.url, "orig": "relais", "api_key": KEY,
                          "inbound_orig": "demarches", "require_body_binding": True,
                          "services": {"demande-acte": "etat-civil"}}})
    bound = post(client, publik_sign(f"{URL}?form=demande-acte/17", KEY, "demarches"),
                 form_data(17))
    assert bound.status_code == 200, bound.text
    unbound = post(client, publik_sign(URL, KEY, "demarches"), form_data(18))
    assert unbound.status_code == 401 and "body_sha256" in unbound.json()["detail"]


def test_spent_nonces_are_purged_once_their_window_is_over(db_session: Session) -> None:
    signed_at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    nonces.consume(db_session=db_session, source="publik", nonce="n1", body_sha256="0" * 64,
                   valid_until=signed_at + MAX_SKEW, now=signed_at)
    with pytest.raises(SignedUrlReused):  # another body under a spent nonce
        nonces.consume(db_session=db_session, source="publik", nonce="n1",
                       body_sha256="1" * 64, valid_until=signed_at + MAX_SKEW,
                       now=signed_at + MAX_SKEW)
    later = signed_at + MAX_SKEW + nonces.CLOCK_MARGIN + timedelta(seconds=1)
    nonces.consume(db_session=db_session, source="publik", nonce="n2", body_sha256="0" * 64,
                   valid_until=later + MAX_SKEW, now=later)
    assert db_session.scalars(select(SignedUrlNonce.nonce)).all() == ["n2"]


@pytest.mark.usefixtures("publik")
@pytest.mark.parametrize(("field", "value"), [("date_naissance", "0001-01-01"),
                                              ("date_naissance", "2999-05-01"),
                                              ("last_update_time", "9999-12-31T23:59:59")])
def test_an_absurd_date_in_a_form_is_a_4xx_not_a_retry_loop(
    client: TestClient, db_session: Session, field: str, value: str
) -> None:
    form = form_data(19)
    if field == "last_update_time":
        form[field] = value
    else:
        form["fields"][field] = value
    response = call(client, form)
    assert (response.status_code, response.json()["code"]) == (422, "malformed_event")
    assert db_session.scalar(select(Case)) is None


@pytest.mark.usefixtures("publik")
@pytest.mark.parametrize(("change", "said"), [
    ({"last_update_time": "le 3 mars vers midi"}, "date de mise à jour invalide"),
    ({"fields": {"prenom": "Camille", "nom": "Durand", "date_naissance": "le 3 mars vers midi"}},
     "date invalide"),
    ({"fields": {"prenom": "Camille", "nom": "\u3164", "date_naissance": "1984-03-12"}},
     "nom"),
    ({"fields": {"prenom": "Camille", "nom": "Durand", "date_naissance": "1984-03-12",
                 "motif": "Acte\u202e 21"}}, "U+202E (inversion du sens d'écriture)"),
], ids=["update time", "birth date", "blank name", "override in a text"])
def test_an_unreadable_form_is_refused_in_french_without_echoing_it(
    client: TestClient, db_session: Session, change: dict[str, Any], said: str
) -> None:
    response = call(client, form_data() | change)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail = response.json()["detail"]
    assert detail.startswith("Formulaire w.c.s. illisible : ") and said in detail, detail
    for english in ("Invalid", "Input should", "Value error", "validation error", "le 3 mars"):
        assert english not in response.text, response.text
    assert db_session.scalar(select(Case).where(Case.external_id == "demande-acte/12")) is None


@pytest.mark.usefixtures("publik")
@pytest.mark.parametrize("name", ["Acte\tde\nnaissance", "\u3164", "Acte \u202enaissance",
                                  "Acte \ue000", "Ac\u200dte"])
def test_a_hostile_display_name_is_a_malformed_event(
    client: TestClient, db_session: Session, name: str
) -> None:
    form = form_data(60) | {"display_name": name}
    response = call(client, form)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "malformed_event"
    assert db_session.scalar(select(Case)) is None


@pytest.mark.usefixtures("publik")
def test_an_unmapped_intermediate_status_is_acknowledged_as_unchanged(
    client: TestClient, db_session: Session
) -> None:
    """Outside test after issue 20: a 422 « Mise à jour sans statut ni note », which
    w.c.s. would retry, for a workflow step Relais does not follow."""
    assert call(client, form_data(70, status="2")).status_code == 200
    later = form_data(70, status="42") | {"last_update_time": "2026-11-30T10:00:00"}
    response = call(client, later)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "unchanged"
    case = db_session.scalar(select(Case).where(Case.external_id == "demande-acte/70"))
    assert case is not None and case.status is CaseStatus.IN_PROGRESS


def test_an_unreachable_wcs_is_said_in_french_without_errno(
    client: TestClient, configure: Callable[..., None], factories: ModuleType,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Outside test after issue 20: « w.c.s. injoignable : [Errno 111] Connection
    refused » reached the platform; the detail belongs to the operator's log."""
    factories.ServiceFactory(code="etat-civil")
    configure({"publik": {
        "kind": "wcs", "api_url": "http://127.0.0.1:9", "orig": "relais", "api_key": KEY,
        "inbound_orig": "demarches", "services": {"demande-acte": "etat-civil"}}})
    response = call(client, {"id": "demande-acte/40"})
    assert (response.status_code, response.json()["code"]) == (502, "platform_unavailable")
    detail = response.json()["detail"]
    assert "injoignable" in detail and "Errno" not in detail and "refused" not in detail
    assert "Errno" in caplog.text or "ConnectError" in caplog.text


@pytest.mark.usefixtures("publik")
@pytest.mark.parametrize("query", ["form=demande-acte%2F10&form=demande-acte%2F11",
                                   "body_sha256=0&body_sha256=1&form=demande-acte%2F11"])
def test_a_signed_parameter_given_twice_is_refused(
    client: TestClient, db_session: Session, query: str
) -> None:
    """Third outside test of issue 20: `form` twice, both signed, let the body speak of the
    second form while a reader of the first would see another one."""
    response = post(client, publik_sign(f"{URL}?{query}", KEY, "demarches"), form_data(11))
    assert (response.status_code, response.json()["code"]) == (401, "invalid_signature")
    assert "en double" in response.json()["detail"]
    assert db_session.scalar(select(Case)) is None


def test_check_query_refuses_any_parameter_twice() -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert check_query(sign_query("a=1", key=KEY, orig="o", timestamp=now),
                       key=KEY, now=now).fields["a"] == "1"
    for query in ("a=1&a=1", "orig=x"):  # the second `orig` is the one sign_query adds
        with pytest.raises(BadSignature, match="en double"):
            check_query(sign_query(query, key=KEY, orig="o", timestamp=now), key=KEY, now=now)


@pytest.mark.usefixtures("publik")
def test_an_unmapped_status_on_creation_is_created_new_with_a_trace(
    client: TestClient, db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    """Third outside test of issue 20: a form first seen with a status Relais does not map
    was created `new` silently. Still created (an update with it is taken as unchanged),
    but the supervisor reads why in the log."""
    with caplog.at_level(logging.WARNING, logger="relais.integrations"):
        response = call(client, form_data(80, status="99"))
        mapped = call(client, form_data(81, status="1"))
    assert (response.status_code, response.json()["status"]) == (200, "created"), response.text
    assert mapped.status_code == 200, mapped.text
    case = db_session.scalar(select(Case).where(Case.external_id == "demande-acte/80"))
    assert case is not None and case.status is CaseStatus.NEW
    said = [record.getMessage() for record in caplog.records if "inconnu" in record.getMessage()]
    assert said == [f"statut w.c.s. « 99 » inconnu de Relais (source publik) : dossier "
                    f"{case.reference} créé comme nouveau"]
