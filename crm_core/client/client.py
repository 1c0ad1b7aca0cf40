"""A thin, typed wrapper over the API: one method per call, problems turned into errors.

Synchronous on purpose: the Textual apps call it from thread workers, tests and scripts
call it directly.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, cast

import httpx

from crm_core.client.errors import (
    Ambiguous,
    ApiError,
    ClientClosed,
    NotRelais,
    ServerUnreachable,
)
from crm_core.client.types import (
    Badge,
    Case,
    ContactPoint,
    Interaction,
    IssuedBadge,
    Me,
    Resident,
    ResidentSummary,
    SearchOutcome,
    Service,
    Site,
    Ticket,
    TimelineEntry,
)

DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class RelaisClient:
    def __init__(
        self, base_url: str, *, token: str | None = None, timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = httpx.Client(
            base_url=f"{self.base_url}/api/v1", timeout=timeout, transport=transport
        )
        # The apps call from several thread workers at once. Closing httpx's pool while one
        # of them is opening a connection leaves that socket open (the pool forgets it):
        # close() waits for calls in flight, and refuses new ones.
        self._calls = threading.Condition()
        self._in_flight = 0
        self._closed = False

    def close(self, *, wait: float = 10.0) -> None:
        """Close the connections, once the calls in flight have ended (at most `wait` s)."""
        with self._calls:
            self._closed = True
            self._calls.wait_for(lambda: self._in_flight == 0, timeout=wait)
        self._http.close()

    def __enter__(self) -> RelaisClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        with self._calls:
            if self._closed:
                raise ClientClosed("Connexion au serveur fermée : rien n'a été envoyé")
            self._in_flight += 1
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise ServerUnreachable(
                f"Serveur Relais injoignable ({self.base_url}) : travail hors ligne"
            ) from exc
        finally:
            with self._calls:
                self._in_flight -= 1
                self._calls.notify_all()
        if response.status_code >= 400:
            raise _problem(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise self._not_relais() from exc

    def _not_relais(self) -> NotRelais:
        return NotRelais(f"La réponse de {self.base_url} n'est pas celle d'un serveur Relais :"
                         " travail hors ligne")

    def _listed(self, path: str) -> list[dict[str, Any]]:
        """A list of objects, as every Relais list route answers, or the server is not Relais."""
        answer = self._request("GET", path)
        if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
            raise self._not_relais()
        return answer

    # -- agents -----------------------------------------------------------------------

    def sign_in(self, username: str, password: str, *, site: str | None = None) -> dict[str, Any]:
        data = {"username": username, "password": password}
        if site:
            data["scope"] = f"site:{site}"
        session: dict[str, Any] = self._request("POST", "/auth/token", data=data)
        self.token = session["access_token"]
        return session

    def sign_out(self) -> None:
        if self.token:
            self._request("POST", "/auth/logout")
        self.token = None

    def change_password(self, current_password: str, new_password: str) -> None:
        """The signed-in agent's own change; the only call a session whose password
        someone else set may make (with `sign_out`)."""
        self._request("POST", "/auth/password", json={
            "current_password": current_password, "new_password": new_password})

    def activate(self, username: str, code: str, new_password: str) -> None:
        """An agent without a password sets theirs with their one-time activation code."""
        self._request("POST", "/auth/activate", json={
            "username": username, "code": code, "new_password": new_password})

    def me(self) -> Me:
        return cast(Me, dict(self._request("GET", "/auth/me")))

    def session_alive(self) -> None:
        """`ApiError` 401 once the session ended; does not count as the agent's activity."""
        self._request("GET", "/auth/session")

    def health(self) -> dict[str, Any]:
        """The server's health; anything but Relais's own answer counts as no answer, so a
        page that says "ok" to every request cannot put an app online."""
        answer = self._request("GET", "/health")
        if not (isinstance(answer, dict) and answer.get("status") == "ok"
                and {"version", "database"} <= answer.keys()):
            raise self._not_relais()
        return answer

    def services(self) -> list[Service]:
        return cast("list[Service]", self._listed("/services"))

    def sites(self) -> list[Site]:
        return cast("list[Site]", self._listed("/sites"))

    # -- residents --------------------------------------------------------------------

    def summary(self, resident_id: uuid.UUID | str) -> ResidentSummary:
        return cast(ResidentSummary,
            dict(self._request("GET", f"/residents/{resident_id}/summary")))

    def lookup(self, **criterion: str) -> ResidentSummary:
        """lookup(phone=...) | email= | reference= | account="provider:subject" | badge= |
        card=; sent in the body, so that none of them is written in a URL."""
        return cast(ResidentSummary, dict(self._request("POST", "/lookup", json=criterion)))

    def create_resident(self, **fields: Any) -> Resident:
        return cast(Resident, dict(self._request("POST", "/residents", json=fields)))

    def update_resident(self, resident_id: uuid.UUID | str, **fields: Any) -> Resident:
        return cast(Resident, dict(self._request("PATCH", f"/residents/{resident_id}",
                                                 json=fields)))

    def add_contact_point(self, resident_id: uuid.UUID | str, **fields: Any) -> ContactPoint:
        return cast(ContactPoint,
            dict(self._request("POST", f"/residents/{resident_id}/contact-points", json=fields)))

    def timeline(
        self, resident_id: uuid.UUID | str, *, before: str | None = None, limit: int = 50
    ) -> list[TimelineEntry]:
        params: dict[str, Any] = {"limit": limit}
        if before:
            params["before"] = before
        return cast("list[TimelineEntry]",
            list(self._request("GET", f"/residents/{resident_id}/interactions", params=params)))

    # -- cases and interactions -------------------------------------------------------

    def open_case(self, **fields: Any) -> Case:
        return cast(Case, dict(self._request("POST", "/cases", json=_jsonable(fields))))

    def case(self, reference: str) -> Case:
        return cast(Case, dict(self._request("GET", f"/cases/{reference}")))

    def update_case(self, reference: str, **fields: Any) -> Case:
        return cast(Case, dict(self._request("PATCH", f"/cases/{reference}", json=fields)))

    def record_interaction(self, **fields: Any) -> Interaction:
        return cast(Interaction,
                    dict(self._request("POST", "/interactions", json=_jsonable(fields))))

    # -- recognition ------------------------------------------------------------------

    def search(self, q: str, *, limit: int = 10, **filters: str) -> SearchOutcome:
        """Ranked candidates (`results`, each with `score` and `reasons`)."""
        body: dict[str, Any] = {"q": q, "limit": limit, **filters}
        return cast(SearchOutcome, dict(self._request("POST", "/residents/search", json=body)))

    # -- badges -----------------------------------------------------------------------

    def badges(self, resident_id: uuid.UUID | str) -> list[Badge]:
        return cast("list[Badge]", list(self._request("GET", f"/residents/{resident_id}/badges")))

    def issue_badge(
        self, resident_id: uuid.UUID | str, *, card_uid: str | None = None
    ) -> IssuedBadge:
        body: dict[str, Any] = {"kind": "card", "card_uid": card_uid} if card_uid else {}
        return cast(IssuedBadge,
                    dict(self._request("POST", f"/residents/{resident_id}/badges", json=body)))

    def revoke_badge(self, badge_id: str, *, reason: str | None = None) -> Badge:
        body = {"reason": reason} if reason else {}
        return cast(Badge, dict(self._request("POST", f"/badges/{badge_id}/revoke", json=body)))

    def confirm_card(self, badge_id: str) -> Badge:
        return cast(Badge, dict(self._request("POST", f"/badges/{badge_id}/confirm")))

    # -- queue ------------------------------------------------------------------------

    def issue_ticket(
        self, service_code: str, *, resident_id: uuid.UUID | str | None = None
    ) -> Ticket:
        body: dict[str, Any] = {"service_code": service_code}
        if resident_id:
            body["resident_id"] = str(resident_id)
        return cast(Ticket, dict(self._request("POST", "/queue/tickets", json=body)))

    def waiting_tickets(self) -> list[Ticket]:
        return cast("list[Ticket]",
            list(self._request("GET", "/queue/tickets", params={"status": "waiting"})))

    def call_next_ticket(self, *, service_code: str | None = None) -> Ticket:
        body = {"service_code": service_code} if service_code else {}
        return cast(Ticket, dict(self._request("POST", "/queue/call-next", json=body)))

    def serve_ticket(
        self, ticket_id: uuid.UUID | str, *, resident_id: uuid.UUID | str | None = None
    ) -> Ticket:
        body = {"resident_id": str(resident_id)} if resident_id else {}
        return cast(Ticket,
            dict(self._request("POST", f"/queue/tickets/{ticket_id}/serve", json=body)))


def _jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in fields.items()}


def _problem(response: httpx.Response) -> ApiError:
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    code = str(problem.get("code", f"http_{response.status_code}"))
    message = str(problem.get("detail") or f"Erreur {response.status_code} du serveur")
    error_class = Ambiguous if code == "ambiguous_match" else ApiError
    return error_class(response.status_code, code, message, problem)
