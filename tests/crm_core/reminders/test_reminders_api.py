"""Bundles configured by the city, opt-ins by agents on request, and the opt-out page
that works from a link without signing in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from html import unescape
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.config import Settings
from crm_core.reminders.links import opt_out_token
from crm_core.reminders.models import ReminderSubscription
from tests.support import clock
from tests.support.clock import PARIS

Headers = Callable[[Role], dict[str, str]]
API = "/api/v1"


def _setup(client: TestClient, as_role: Headers) -> None:
    admin = as_role(Role.ADMIN)
    created = client.post(f"{API}/reminder-bundles", headers=admin, json={
        "code": "elections", "label": "Élections", "description": "Dates des scrutins"})
    assert created.status_code == 201, created.text
    key_date = client.post(f"{API}/reminder-bundles/elections/dates", headers=admin, json={
        "occurs_on": "2099-06-14", "title": "Élections municipales",
        "message": "Bureau de vote ouvert de 8 h à 19 h.", "days_before": 3})
    assert key_date.status_code == 201, key_date.text


def test_upcoming_dates_start_on_the_citys_day_not_the_servers(
    client: TestClient, as_role: Headers
) -> None:
    admin = as_role(Role.ADMIN)
    client.post(f"{API}/reminder-bundles", headers=admin, json={
        "code": "collecte", "label": "Collecte", "description": "Ramassage des déchets"})
    for day, title in (("2026-12-31", "Dernière collecte de l'année"),
                       ("2027-01-01", "Collecte du jour de l'an")):
        client.post(f"{API}/reminder-bundles/collecte/dates", headers=admin, json={
            "occurs_on": day, "title": title, "message": "Sortez vos bacs.",
            "days_before": 1})
    # 00:20 on New Year's Day in Paris; still 31 December on a server kept in California.
    with clock.machine_in("America/Los_Angeles", datetime(2027, 1, 1, 0, 20, tzinfo=PARIS)):
        bundles = client.get(f"{API}/reminder-bundles", headers=as_role(Role.COUNTER)).json()
    assert [d["title"] for d in bundles[0]["upcoming"]] == ["Collecte du jour de l'an"]


def test_an_agent_opts_a_resident_in_and_the_link_opts_them_out(
    client: TestClient, db_session: Session, factories: ModuleType, as_role: Headers
) -> None:
    _setup(client, as_role)
    counter = as_role(Role.COUNTER)
    bundles = client.get(f"{API}/reminder-bundles", headers=counter).json()
    assert bundles[0]["upcoming"][0]["title"] == "Élections municipales"
    resident_id = factories.ResidentFactory().id
    url = f"{API}/residents/{resident_id}/reminders"
    subscribed = client.post(url, headers=counter, json={"bundle": "elections",
                                                         "channel": "email"})
    assert subscribed.status_code == 201, subscribed.text
    assert subscribed.json()["subscribed_by"] == "agent"
    assert len(client.get(url, headers=counter).json()) == 1
    reminders = next(c for c in client.get(f"{API}/residents/{resident_id}/consents",
                                           headers=counter).json()["consents"]
                     if c["purpose"] == "reminders")
    assert reminders["granted"]  # opting in is saying yes to reminders

    token = opt_out_token(Settings(), uuid.UUID(subscribed.json()["id"]))
    page = client.get("/rappels/desabonnement", params={"jeton": token})
    assert page.status_code == 200 and "Me désabonner" in page.text
    assert 'lang="fr"' in page.text and "default-src 'none'" in page.headers[
        "content-security-policy"]
    assert client.get(url, headers=counter).json() != []  # showing the page changes nothing
    answered = client.post("/rappels/desabonnement", data={"jeton": token},
                           follow_redirects=False)
    assert answered.status_code == 303  # Post/Redirect/Get: a reload posts nothing again
    done = client.get(answered.headers["location"])
    assert done.status_code == 200 and "C'est fait" in unescape(done.text)
    assert client.get(url, headers=counter).json() == []
    one_click = client.post("/rappels/desabonnement", params={"jeton": token},
                            data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200  # again, harmless
    ended = db_session.get(ReminderSubscription, uuid.UUID(subscribed.json()["id"]))
    assert ended is not None and ended.unsubscribed_by is not None


def test_forged_links_and_other_residents_subscriptions_are_refused(
    client: TestClient, factories: ModuleType, as_role: Headers
) -> None:
    _setup(client, as_role)
    counter = as_role(Role.COUNTER)
    alice, bob = factories.ResidentFactory().id, factories.ResidentFactory().id
    alices = client.post(f"{API}/residents/{alice}/reminders", headers=counter,
                         json={"bundle": "elections", "channel": "sms"}).json()
    stolen = client.delete(f"{API}/residents/{bob}/reminders/{alices['id']}", headers=counter)
    assert stolen.status_code == 404
    for forged in ("", "abc", "A" * 43, opt_out_token(Settings(), uuid.uuid4())[:-2] + "AA"):
        page = client.get("/rappels/desabonnement", params={"jeton": forged})
        assert page.status_code == 400 and "n'est pas valable" in unescape(page.text)
        assert client.post("/rappels/desabonnement", data={"jeton": forged}).status_code == 400
    too_long = client.get("/rappels/desabonnement", params={"jeton": "x" * 500})
    # An HTML page answers with an HTML page, never the API's problem+json.
    assert too_long.status_code == 400 and "n'est pas valable" in unescape(too_long.text)
    assert client.post(f"{API}/reminder-bundles", headers=counter,
                       json={"code": "x", "label": "X"}).status_code == 403
    admin = as_role(Role.ADMIN)
    assert client.post(f"{API}/reminder-bundles/elections/dates", headers=admin, json={
        "occurs_on": "14/06/2099", "title": "t", "message": "m"}).status_code == 422
    assert client.post(f"{API}/reminder-bundles/inconnu/dates", headers=admin, json={
        "occurs_on": "2099-06-14", "title": "t", "message": "m"}).status_code == 404
    assert client.post(f"{API}/residents/{alice}/reminders", headers=counter,
                       json={"bundle": "inconnu", "channel": "email"}).status_code == 404
    assert client.post(f"{API}/reminder-bundles", headers=admin, json={
        "code": "elections", "label": "Doublon"}).status_code == 409


def test_the_consent_a_subscription_implies_keeps_the_channel_it_came_through(
    client: TestClient, factories: ModuleType, as_role: Headers, db_session: Session
) -> None:
    # It had none: the resident's history showed « — », their export a null channel.
    from sqlalchemy import select

    from crm_core.channels import Channel
    from crm_core.privacy.models import ConsentChange

    _setup(client, as_role)
    at_counter, by_phone = factories.ResidentFactory().id, factories.ResidentFactory().id
    assert client.post(f"{API}/residents/{at_counter}/reminders", headers=as_role(Role.COUNTER),
                       json={"bundle": "elections", "channel": "sms"}).status_code == 201
    assert client.post(f"{API}/residents/{by_phone}/reminders",
                       headers=as_role(Role.SUPERVISOR),
                       json={"bundle": "elections", "channel": "email",
                             "via": "phone"}).status_code == 201
    channels = dict(db_session.execute(select(ConsentChange.resident_id, ConsentChange.channel)
                                       .where(ConsentChange.purpose == "reminders")).all())
    assert channels == {at_counter: Channel.COUNTER, by_phone: Channel.PHONE}
