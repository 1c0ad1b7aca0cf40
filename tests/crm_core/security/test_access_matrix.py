"""Access-control matrix (OWASP API1 BOLA, API3, API5): every route of the app × every
role (and anonymous) × the agent's site (home or another) — each cell asserted.

A route of the app without a row fails `test_every_route_has_a_row`: a new endpoint gets
its row here, one line, before it can be merged. Columns:

- who may call it: FRONT (counter, phone, supervisor), SUPERVISOR, ADMIN, REVIEWERS
  (supervisor, admin), AGENTS (any signed-in agent), PUBLIC (no sign-in: the same answer
  for everyone) or MACHINE (a platform's own credential — signature, API key: a bearer
  token opens nothing, the same refusal for everyone without that credential);
- `ok`: the status for an allowed agent of the object's site (`other`: of another site;
  by default the same: residents' files are shared by the métropole's sites);
- a role not allowed gets 403 `forbidden`, an anonymous caller 401 `not_authenticated`.

Objects (resident, case, badge, ticket, …) are made fresh for each cell by `World`; ids
that name nothing (a merge, a call) make an allowed role reach "not found" — past the
checks, in the handler. "Someone else's object" cells: a queue ticket of another site, a
reminder subscription of another resident under this resident's path, a call-back
assigned to a colleague.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from fastapi.security import OAuth2PasswordBearer
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.database.base import utcnow
from crm_core.telephony.models import Callback
from tests.crm_core.security.world import AGENT_ROLES, Staff, World
from tests.support.clock import city_day

FRONT = frozenset({Role.COUNTER, Role.PHONE, Role.SUPERVISOR})
SUPERVISOR = frozenset({Role.SUPERVISOR})
ADMIN = frozenset({Role.ADMIN})
AGENTS = frozenset(AGENT_ROLES)
REVIEWERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
PUBLIC = "public"
MACHINE = "machine"

Body = Callable[[World], Any]


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    who: frozenset[Role] | str
    ok: int
    json: Body | None = None
    form: Body | None = None
    query: Body | None = None
    other: int | None = None  # an allowed agent of another site (default: ok)


def _soon() -> str:
    return (utcnow() + timedelta(hours=2)).isoformat()


R = Row
ROWS = [
    # system and documentation
    R("GET", "/api/v1/health", PUBLIC, 200),
    R("GET", "/openapi.json", PUBLIC, 200),
    R("GET", "/docs", PUBLIC, 200),
    R("GET", "/docs/oauth2-redirect", PUBLIC, 200),
    R("GET", "/redoc", PUBLIC, 200),
    # agents, sites, sign-in
    R("POST", "/api/v1/auth/token", PUBLIC, 401,
      form=lambda w: {"username": f"personne-{w.uid}", "password": "mauvais"}),
    R("POST", "/api/v1/auth/activate", PUBLIC, 401,
      json=lambda w: {"username": f"personne-{w.uid}", "code": "FAUX-CODE",
                      "new_password": "une phrase neuve"}),
    R("POST", "/api/v1/auth/logout", AGENTS, 204),
    R("POST", "/api/v1/auth/password", AGENTS, 422,
      json=lambda w: {"current_password": "mauvais", "new_password": "une phrase neuve"}),
    R("GET", "/api/v1/auth/me", AGENTS, 200),
    R("GET", "/api/v1/auth/session", AGENTS, 204),
    R("GET", "/api/v1/sites", AGENTS, 200),
    R("POST", "/api/v1/sites", ADMIN, 201,
      json=lambda w: {"code": f"s{w.uid}", "name": "Annexe", "kind": "annex"}),
    R("GET", "/api/v1/agents", ADMIN, 200),
    R("POST", "/api/v1/agents", ADMIN, 201, json=lambda w: {
        "username": f"agent.{w.uid}", "display_name": "Nouvel Agent",
        "role": "counter"}),
    R("PATCH", "/api/v1/agents/{agent_id}", ADMIN, 200,
      json=lambda w: {"display_name": "Nom changé"}),
    R("POST", "/api/v1/agents/{agent_id}/password", ADMIN, 200),
    R("GET", "/api/v1/agents/requests", REVIEWERS, 200),
    R("POST", "/api/v1/agents/requests/{agent_request_id}/approve", SUPERVISOR, 200),
    R("POST", "/api/v1/agents/requests/{agent_request_id}/refuse", SUPERVISOR, 200),
    # residents
    R("GET", "/api/v1/residents/search", FRONT, 200, query=lambda w: {"q": "Durand"}),
    R("POST", "/api/v1/residents/search", FRONT, 200, json=lambda w: {"q": "Durand"}),
    R("GET", "/api/v1/residents/duplicates", SUPERVISOR, 200),
    R("GET", "/api/v1/residents/{resident_id}/duplicates", FRONT, 200),
    R("POST", "/api/v1/residents/merges", SUPERVISOR, 201, json=lambda w: {
        "survivor_id": w.resident_id, "merged_id": str(w.twin.id),
        "reason": "Doublon vérifié"}),
    R("GET", "/api/v1/residents/merges/{merge_id}", SUPERVISOR, 404),
    R("POST", "/api/v1/residents/merges/{merge_id}/undo", SUPERVISOR, 404,
      json=lambda w: {"reason": "Erreur"}),
    R("POST", "/api/v1/residents", FRONT, 201,
      json=lambda w: {"given_name": "Léa", "family_name": "Martin", "channel": "counter"}),
    R("GET", "/api/v1/residents/{resident_id}", FRONT, 200),
    R("PATCH", "/api/v1/residents/{resident_id}", FRONT, 200,
      json=lambda w: {"given_name": "Camille-Anne"}),
    R("GET", "/api/v1/residents/{resident_id}/summary", FRONT, 200),
    R("GET", "/api/v1/residents/{resident_id}/interactions", FRONT, 200),
    R("POST", "/api/v1/residents/{resident_id}/contact-points", FRONT, 201,
      json=lambda w: {"kind": "phone", "value": "0299112233", "channel": "counter"}),
    R("PATCH", "/api/v1/residents/{resident_id}/contact-points/{point_id}", FRONT, 200,
      json=lambda w: {"contact_allowed": False, "channel": "counter"}),
    R("DELETE", "/api/v1/residents/{resident_id}/contact-points/{point_id}", FRONT, 204),
    R("POST", "/api/v1/residents/{resident_id}/account-links", FRONT, 201,
      json=lambda w: {"provider": "compte-unique", "subject": w.uid, "channel": "counter"}),
    # catalogue, cases, interactions
    R("GET", "/api/v1/services", AGENTS, 200),
    R("POST", "/api/v1/services", ADMIN, 201, json=lambda w: {
        "code": f"svc-{w.uid}", "label": "Service", "announced_delay_days": 5}),
    R("POST", "/api/v1/cases", FRONT, 201, json=lambda w: {
        "resident_id": w.resident_id, "service_code": w.service.code, "subject": "Demande",
        "channel": "counter"}),
    R("GET", "/api/v1/cases/{reference}", FRONT, 200),
    R("PATCH", "/api/v1/cases/{reference}", FRONT, 200,
      json=lambda w: {"status": "in_progress", "channel": "counter"}),
    R("POST", "/api/v1/interactions", FRONT, 201,
      json=lambda w: {"resident_id": w.resident_id, "outcome": "informed", "channel": "counter"}),
    # recognition and badges
    R("GET", "/api/v1/lookup", FRONT, 404, query=lambda w: {"phone": "0299999999"}),
    R("POST", "/api/v1/lookup", FRONT, 404, json=lambda w: {"phone": "0299999999"}),
    R("POST", "/api/v1/residents/{resident_id}/badges", FRONT, 201, json=lambda w: {}),
    R("GET", "/api/v1/residents/{resident_id}/badges", FRONT, 200),
    R("POST", "/api/v1/badges/{badge_id}/revoke", FRONT, 200, json=lambda w: {}),
    R("POST", "/api/v1/badges/{badge_id}/confirm", FRONT, 422),  # a QR badge: no card
    # privacy
    R("GET", "/api/v1/residents/{resident_id}/consents", FRONT, 200),
    R("GET", "/api/v1/residents/{resident_id}/export", FRONT, 200),
    R("POST", "/api/v1/residents/{resident_id}/erasure", SUPERVISOR, 200,
      json=lambda w: {"reason": "Demande de l'usager (art. 17)"}),
    R("PUT", "/api/v1/residents/{resident_id}/consents/{purpose}", FRONT, 200,
      json=lambda w: {"granted": True, "channel": "counter"}),
    # residents' rights requests (made in the resident space), handled by supervisors
    R("GET", "/api/v1/privacy-requests", SUPERVISOR, 200),
    R("POST", "/api/v1/privacy-requests/{request_id}/close", SUPERVISOR, 422,
      json=lambda w: {"outcome": "done"}),  # the id is a reference here, not a request's
    # reminders
    R("GET", "/api/v1/reminder-bundles", FRONT, 200),
    R("POST", "/api/v1/reminder-bundles", ADMIN, 201,
      json=lambda w: {"code": f"r{w.uid}", "label": "Rentrée scolaire"}),
    R("POST", "/api/v1/reminder-bundles/{code}/dates", ADMIN, 201, json=lambda w: {
        "occurs_on": str(date.today() + timedelta(days=30)), "title": "Inscriptions",
        "message": "Les inscriptions ouvrent."}),
    R("GET", "/api/v1/residents/{resident_id}/reminders", FRONT, 200),
    R("POST", "/api/v1/residents/{resident_id}/reminders", FRONT, 201,
      json=lambda w: {"bundle": w.code, "channel": "sms"}),
    R("DELETE", "/api/v1/residents/{resident_id}/reminders/{subscription_id}", FRONT, 200),
    # queue: tickets belong to a site
    R("POST", "/api/v1/queue/tickets", FRONT, 201,
      json=lambda w: {"service_code": w.service.code}),
    R("GET", "/api/v1/queue/tickets", FRONT, 200),
    R("POST", "/api/v1/queue/call-next", FRONT, 200, other=404,
      json=lambda w: (w.ticket_id, {})[1]),
    R("POST", "/api/v1/queue/tickets/{ticket_id}/serve", FRONT, 409, other=404,
      json=lambda w: {}),  # a waiting ticket is called before it is served
    # telephony
    R("POST", "/api/v1/telephony/events", MACHINE, 401, json=lambda w: {"event": "newCall"}),
    R("GET", "/api/v1/telephony/calls", FRONT, 200),
    R("GET", "/api/v1/telephony/calls/{call}", FRONT, 404),
    R("POST", "/api/v1/telephony/calls/{call}/log", FRONT, 404, json=lambda w: {
        "resident_id": w.resident_id, "reason": "Question", "outcome": "informed"}),
    R("POST", "/api/v1/telephony/callbacks", FRONT, 201,
      json=lambda w: {"phone": "0299000001", "due_at": _soon(), "reason": "Rappeler"}),
    R("GET", "/api/v1/telephony/callbacks", FRONT, 200),
    R("POST", "/api/v1/telephony/callbacks/{callback_id}/done", FRONT, 200, json=lambda w: {}),
    R("GET", "/api/v1/telephony/figures", SUPERVISOR, 200,
      query=lambda w: {"start": str(date.today()), "end": str(date.today())}),
    # the opt-out link of a reminder: the signed link is the credential
    R("GET", "/rappels/desabonnement", PUBLIC, 400, query=lambda w: {"jeton": "falsifie"}),
    R("POST", "/rappels/desabonnement", PUBLIC, 400, query=lambda w: {"jeton": "falsifie"}),
    # connectors: their own credentials
    R("POST", "/integrations/webhooks/{source}", MACHINE, 404, json=lambda w: {}),
    R("POST", "/integrations/wcs/{source}", MACHINE, 404, json=lambda w: {}),
    R("POST", "/integrations/ds/{source}", MACHINE, 404,
      form=lambda w: {"procedure_id": "1", "dossier_id": "2"}),
    R("GET", "/open311/v2/services.{fmt}", PUBLIC, 200),
    R("GET", "/open311/v2/services/{code}.{fmt}", PUBLIC, 404),
    R("POST", "/open311/v2/requests.{fmt}", MACHINE, 403, form=lambda w: {"service_code": "x"}),
    R("GET", "/open311/v2/requests.{fmt}", PUBLIC, 200),
    R("GET", "/open311/v2/requests/{request_id}.{fmt}", PUBLIC, 404),
    R("GET", "/integrations/account/login", PUBLIC, 503),
    R("GET", "/integrations/account/callback", PUBLIC, 503),
    R("POST", "/integrations/account/proposals/{token}", PUBLIC, 404,
      json=lambda w: {"accept": True}),
    # the resident space: a resident's session cookie is its only key; an agent's bearer
    # token opens nothing there (pages send a stranger to sign-in, forms refuse)
    R("GET", "/espace/", PUBLIC, 200),
    R("GET", "/espace/connexion", PUBLIC, 200),
    R("GET", "/espace/accessibilite", PUBLIC, 200),
    R("GET", "/espace/static/espace.css", PUBLIC, 200),
    R("GET", "/espace/{rest:path}", PUBLIC, 404),
    *[R("GET", f"/espace/{page}", PUBLIC, 200) for page in (
        "badge", "choix", "consultations", "coordonnees", "demandes", "droits", "mes-donnees",
        "mes-donnees.json")],
    *[R("POST", f"/espace/{form}", PUBLIC, 200) for form in (
        "badge", "choix", "coordonnees/{point}", "coordonnees/{point}/suppression",
        "deconnexion", "droits", "rappels")],
    R("POST", "/espace/rattachement", PUBLIC, 403),  # no pending sign-in: "session expirée"
    # (the demo's sign-in, /espace/demo/connexion, exists in demo mode only:
    # tests/crm_core/demo/test_sign_in.py)
    # supervisors' reports: their own site's figures (another site's: reports/test_api.py)
    R("GET", "/api/v1/reports/{name}", SUPERVISOR, 200,
      query=lambda w: {"month": city_day().strftime("%Y-%m")}),  # this month: always open
    # security events (locked accounts, lookup scans, floods)
    R("GET", "/api/v1/security/events", REVIEWERS, 200),
    # platform-created residents to check
    R("GET", "/integrations/reviews", FRONT, 200),
    R("POST", "/integrations/reviews/{review_id}/resolve", FRONT, 404),
]

# Routes outside the HTTP matrix, each with the test that covers its every cell.
ELSEWHERE = {
    ("WS", "/api/v1/telephony/desk"): "test_the_desk_socket_admits_front_office_only",
}


def _app_routes(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIWebSocketRoute):
            found.add(("WS", str(route.path)))
            continue
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, str(route.path)))
    return found


def test_every_route_has_a_row(app: FastAPI) -> None:
    covered = {(row.method, row.path) for row in ROWS} | set(ELSEWHERE)
    missing = sorted(_app_routes(app) - covered)
    assert not missing, "routes without a row in the access matrix: " + ", ".join(
        f"{method} {path}" for method, path in missing)
    stale = sorted(covered - _app_routes(app))
    assert not stale, f"rows for routes that no longer exist: {stale}"
    assert len({(row.method, row.path) for row in ROWS}) == len(ROWS), "a route has two rows"


def test_every_agent_route_declares_its_check(app: FastAPI) -> None:
    """A row says FRONT, SUPERVISOR, ADMIN or AGENTS only if the route itself asks for a
    signed-in agent (a dependency on the bearer token): the table cannot paper over a
    route that forgot its check."""
    rows = {(row.method, row.path): row for row in ROWS}
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if not isinstance(original, APIRoute):
            continue
        asks_bearer = any(isinstance(dep.call, OAuth2PasswordBearer)
                          for dep in _walk(original.dependant))
        for method in route.methods or ():
            row = rows[method, str(route.path)]
            if isinstance(row.who, frozenset):
                assert asks_bearer, (method, route.path)


def _walk(dependant: Any) -> list[Any]:
    found = []
    for dep in dependant.dependencies:
        found.append(dep)
        found.extend(_walk(dep))
    return found


CELLS = [None, *AGENT_ROLES]


def _send(client: TestClient, row: Row, world: World, headers: dict[str, str]) -> Any:
    path = world.path(row.path)
    json = row.json(world) if row.json else None
    form = row.form(world) if row.form else None
    query = row.query(world) if row.query else None
    world.db_session.commit()  # the cell's objects survive a route that rolls back
    return client.request(row.method, path, headers=headers, json=json, data=form,
                          params=query)


def _expected(row: Row, role: Role | None, where: str) -> tuple[int, str | None]:
    if row.who in (PUBLIC, MACHINE):
        return row.ok, None
    assert isinstance(row.who, frozenset)
    if role is None:
        return 401, "not_authenticated"
    if role not in row.who:
        return 403, "forbidden"
    return (row.other if where == "other" and row.other is not None else row.ok), None


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method} {row.path}")
def test_access_matrix(
    row: Row, client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    staff = Staff.make(db_session)
    failures = []
    for role in CELLS:
        for where in ("home", "other") if role else ("home",):
            world = World(db_session, staff)
            response = _send(client, row, world, staff.headers(role, where))
            status, code = _expected(row, role, where)
            got_code = _code(response)
            if response.status_code != status or (code and got_code != code):
                failures.append(f"{role or 'anonymous'}@{where}: expected {status} {code or ''}"
                                f", got {response.status_code} {got_code or ''} "
                                f"{response.text[:160]}")
    assert not failures, "\n".join(failures)


def _code(response: Any) -> str | None:
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return str(response.json().get("code"))
    return None


# Someone else's object, in detail


def test_a_ticket_of_another_site_is_out_of_reach(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    staff = Staff.make(db_session)
    world = World(db_session, staff)
    ticket = world.ticket_id
    elsewhere = staff.headers(Role.COUNTER, "other")
    listed = client.get("/api/v1/queue/tickets", headers=elsewhere).json()
    assert ticket not in {t["id"] for t in listed}
    served = client.post(f"/api/v1/queue/tickets/{ticket}/serve", headers=elsewhere, json={})
    assert served.status_code == 404
    assert client.post("/api/v1/queue/call-next", headers=elsewhere).status_code == 404
    called = client.post("/api/v1/queue/call-next", headers=staff.headers(Role.COUNTER))
    assert called.json()["id"] == ticket


def test_a_subscription_of_another_resident_is_not_cancelled_through_this_one(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    staff = Staff.make(db_session)
    world = World(db_session, staff)
    url = f"/api/v1/residents/{world.resident_id}/reminders/{world.others_subscription_id}"
    response = client.delete(url, headers=staff.headers(Role.COUNTER))
    assert response.status_code == 404
    theirs = client.get(f"/api/v1/residents/{world.other_resident.id}/reminders",
                        headers=staff.headers(Role.COUNTER)).json()
    assert [s["id"] for s in theirs if s.get("active", True)] == [world.others_subscription_id]


def test_a_shared_call_back_is_done_by_anyone_and_signed_by_who_did_it(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    """The shared queue (call-backs assigned to nobody): a colleague may answer first; the
    one who completes it is recorded."""
    staff = Staff.make(db_session)
    world = World(db_session, staff)
    done = client.post(f"/api/v1/telephony/callbacks/{world.callback_id}/done",
                       headers=staff.headers(Role.COUNTER, "other"), json={})
    assert done.status_code == 200
    callback = db_session.get(Callback, uuid.UUID(done.json()["id"]))
    assert callback is not None
    assert callback.done_by_agent_id == staff.agents[Role.COUNTER, "other"].id
    assert callback.assigned_agent_id is None


def test_a_colleagues_own_call_back_is_out_of_reach_by_id(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    """Taken for themselves by a colleague: the same 404 as an id that names nothing (a
    403 would confirm it exists); their supervisor may still close it."""
    staff = Staff.make(db_session)
    world = World(db_session, staff)
    url = f"/api/v1/telephony/callbacks/{world.colleagues_callback_id}/done"
    for role in (Role.COUNTER, Role.PHONE):
        refused = client.post(url, headers=staff.headers(role, "other"), json={})
        assert refused.status_code == 404, refused.text
        assert refused.json()["code"] == "callback_not_found"
    callback = db_session.get(Callback, uuid.UUID(world.colleagues_callback_id))
    assert callback is not None
    db_session.refresh(callback)
    assert callback.done_at is None
    assert client.post(url, headers=staff.headers(Role.PHONE), json={}).status_code == 200


def test_signing_out_revokes_only_ones_own_session(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    staff = Staff.make(db_session)
    mine, colleague = staff.headers(Role.COUNTER), staff.headers(Role.PHONE)
    assert client.post("/api/v1/auth/logout", headers=mine).status_code == 204
    assert client.get("/api/v1/auth/me", headers=mine).status_code == 401
    assert client.get("/api/v1/auth/me", headers=colleague).status_code == 200


def test_an_expired_or_revoked_session_opens_nothing(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    from crm_core.agents.models import AgentSession
    from crm_core.agents.security import token_digest

    staff = Staff.make(db_session)
    headers = staff.headers(Role.SUPERVISOR)
    token = staff.tokens[Role.SUPERVISOR, "home"]
    session = db_session.get(AgentSession, token_digest(token))
    assert session is not None
    session.expires_at = utcnow() - timedelta(seconds=1)
    db_session.flush()
    response = client.get("/api/v1/residents/duplicates", headers=headers)
    assert response.status_code == 401
    forged = {"Authorization": "Bearer " + token[:-2] + "xx"}
    assert client.get("/api/v1/auth/me", headers=forged).status_code == 401


@pytest.mark.parametrize(("username", "admitted"), [
    ("", False), ("accueil", False), ("telephone", True), ("superviseur", True),
    ("admin", False),
])
def test_the_desk_socket_admits_front_office_only(
    live_server: Any, username: str, admitted: bool
) -> None:
    """The one WebSocket route, over a real socket: anonymous and admins are refused
    (403 on the upgrade), and so is a counter agent asking for a phone seat; a phone agent
    at a shared desk (an extension nobody owns) and a supervisor get its snapshot. The
    extension rules in detail: tests/crm_core/telephony/test_desk_socket.py."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    from crm_core.client import RelaisClient
    from phone_desk.feed import desk_url

    token = ""
    if username:
        with RelaisClient(live_server.url) as relais:
            token = str(relais.sign_in(username, "secret-pass")["access_token"])
    url = desk_url(live_server.url, "230")
    headers = {"Authorization": f"Bearer {token}"}
    if not admitted:
        with pytest.raises(InvalidStatus) as refused:
            connect(url, additional_headers=headers, open_timeout=5)
        assert refused.value.response.status_code == 403
        return
    with connect(url, additional_headers=headers, open_timeout=5) as socket:
        assert '"extension":"230"' in str(socket.recv(timeout=5)).replace(" ", "")


def test_a_refused_call_is_logged_without_the_token(
    client: TestClient, db_session: Session, factories: ModuleType,
    caplog: pytest.LogCaptureFixture,
) -> None:
    staff = Staff.make(db_session)
    headers = staff.headers(Role.ADMIN)
    caplog.set_level("WARNING", logger="relais.security")
    assert client.get("/api/v1/residents/duplicates", headers=headers).status_code == 403
    [record] = [r for r in caplog.records if "permission denied" in r.getMessage()]
    assert staff.agents[Role.ADMIN, "home"].username in record.getMessage()
    assert "resident:merge" in record.getMessage()
    assert staff.tokens[Role.ADMIN, "home"] not in caplog.text


def test_a_contact_point_of_another_resident_is_not_changed_through_this_one(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    staff = Staff.make(db_session)
    world = World(db_session, staff)
    theirs = factories.ContactPointFactory(resident=world.other_resident)
    db_session.commit()
    url = f"/api/v1/residents/{world.resident_id}/contact-points/{theirs.id}"
    headers = staff.headers(Role.COUNTER)
    assert client.patch(url, headers=headers, json={"contact_allowed": False}).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404
    db_session.refresh(theirs)
    assert theirs.contact_allowed is True
