"""The Démarches Simplifiées GraphQL API (`POST /api/v2/graphql`, bearer token) behind an
interface: one dossier, and a démarche's dossiers updated since a date, page by page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import httpx

from integrations.exceptions import network_failure
from integrations.outbox.transport import BlockedAddress, check_destination
from integrations.settings import SourceConfig

DOSSIER_FIELDS = """
  id number state dateDepot dateDerniereModification
  demarche { number title }
  usager { email }
  demandeur { ... on PersonnePhysique { civilite nom prenom dateDeNaissance } }
  champs { id label stringValue }
"""
DOSSIER_QUERY = "query getDossier($dossierNumber: Int!) { dossier(number: $dossierNumber) {" + \
    DOSSIER_FIELDS + "} }"
DOSSIERS_QUERY = (
    "query getDemarche($demarcheNumber: Int!, $updatedSince: ISO8601DateTime, "
    "$first: Int, $after: String) { demarche(number: $demarcheNumber) { number title "
    "dossiers(updatedSince: $updatedSince, first: $first, after: $after, order: ASC) { "
    "pageInfo { hasNextPage endCursor } nodes {" + DOSSIER_FIELDS + "} } } }"
)
STATE_QUERY = ("query getDossierState($dossierNumber: Int!) { dossier(number: $dossierNumber) "
               "{ id number state } }")
# Relais moves a dossier on with these mutations (each takes `input: {dossierId,
# instructeurId, …}` and answers `{ dossier { id state } errors { message } }`).
MUTATIONS = ("dossierPasserEnInstruction", "dossierRepasserEnInstruction", "dossierAccepter",
             "dossierRefuser", "dossierClasserSansSuite")
PAGE_SIZE = 100


def mutation_document(name: str) -> str:
    title = name[0].upper() + name[1:]
    return (f"mutation {name}($input: {title}Input!) {{ {name}(input: $input) {{ "
            "dossier { id state } errors { message } } }")


class DsError(Exception):
    pass


@dataclass
class Page:
    nodes: list[dict[str, Any]]
    has_next: bool
    end_cursor: str | None


class DsBackend(Protocol):
    def dossier(self, number: int) -> dict[str, Any]: ...

    def dossier_state(self, number: int) -> tuple[str, str]: ...

    def change_state(self, mutation: str, variables: dict[str, Any]) -> str: ...

    def dossiers(self, demarche: int, *, updated_since: datetime | None,
                 after: str | None) -> Page: ...


class HttpDsBackend:
    def __init__(self, config: SourceConfig, *, timeout: float = 10.0,
                 allow_private: bool = True) -> None:
        if not (config.api_url and config.token):
            raise DsError("Démarches Simplifiées : api_url et token sont requis")
        self.url = config.api_url.rstrip("/") + "/api/v2/graphql"
        try:
            check_destination(self.url, allow_private=allow_private)
        except BlockedAddress as exc:
            raise DsError(str(exc)) from exc
        self.client = httpx.Client(
            timeout=timeout, follow_redirects=False, trust_env=False,
            headers={"authorization": f"Bearer {config.token.get_secret_value()}"},
        )

    def _run(self, query: str, variables: dict[str, Any], operation: str) -> dict[str, Any]:
        try:
            response = self.client.post(self.url, json={
                "query": query, "variables": variables, "operationName": operation})
        except httpx.HTTPError as exc:
            raise DsError(network_failure("Démarches Simplifiées", exc)) from exc
        if response.status_code != 200:
            raise DsError(f"Démarches Simplifiées a répondu {response.status_code}")
        body = response.json()
        if body.get("errors"):
            messages = "; ".join(str(e.get("message")) for e in body["errors"])[:300]
            raise DsError(f"Démarches Simplifiées : {messages}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise DsError("Démarches Simplifiées : réponse sans données")
        return data

    def dossier(self, number: int) -> dict[str, Any]:
        found = self._run(DOSSIER_QUERY, {"dossierNumber": number}, "getDossier").get("dossier")
        if not isinstance(found, dict):
            raise DsError(f"Dossier {number} introuvable")
        return found

    def dossier_state(self, number: int) -> tuple[str, str]:
        """The dossier's technical id (what mutations take) and its current state."""
        found = self._run(STATE_QUERY, {"dossierNumber": number}, "getDossierState").get(
            "dossier")
        if not isinstance(found, dict) or not found.get("id") or not found.get("state"):
            raise DsError(f"Dossier {number} introuvable")
        return str(found["id"]), str(found["state"])

    def change_state(self, mutation: str, variables: dict[str, Any]) -> str:
        """Runs one state mutation; returns the dossier's new state."""
        if mutation not in MUTATIONS:
            raise ValueError(f"unknown Démarches Simplifiées mutation {mutation!r}")
        payload = self._run(mutation_document(mutation), {"input": variables}, mutation).get(
            mutation) or {}
        errors = payload.get("errors") or []
        if errors:
            messages = "; ".join(str(e.get("message")) for e in errors)[:300]
            raise DsError(f"Démarches Simplifiées refuse {mutation} : {messages}")
        state = (payload.get("dossier") or {}).get("state")
        if not state:
            raise DsError(f"Démarches Simplifiées : {mutation} sans dossier en réponse")
        return str(state)

    def dossiers(self, demarche: int, *, updated_since: datetime | None,
                 after: str | None) -> Page:
        variables = {"demarcheNumber": demarche, "first": PAGE_SIZE, "after": after,
                     "updatedSince": updated_since.isoformat() if updated_since else None}
        data = self._run(DOSSIERS_QUERY, variables, "getDemarche")
        connection = (data.get("demarche") or {}).get("dossiers") or {}
        info = connection.get("pageInfo") or {}
        return Page(list(connection.get("nodes") or []), bool(info.get("hasNextPage")),
                    info.get("endCursor"))

    def close(self) -> None:
        self.client.close()
