"""A small Démarches Simplifiées on 127.0.0.1: `POST /api/v2/graphql` with a bearer token,
answering the `getDossier` and `getDemarche` operations in the API's shapes (dossier
nodes, `pageInfo { hasNextPage endCursor }`, `errors` on failure), `updatedSince` and
cursor paging included. Pages hold at most `page_size` dossiers to exercise paging.

It also plays the state mutations as DS does: `input { dossierId, instructeurId,
motivation }`, the dossier's technical id (not its number), a known instructeur, a
motivation where DS requires one, and each mutation only from the state DS allows it
from — otherwise the payload's `errors` say why and nothing changes."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Ds:
    token: str
    url: str = ""
    page_size: int = 2
    dossiers: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    instructeurs: set[str] = field(default_factory=lambda: {"SW5zdHJ1Y3RldXItMQ=="})
    mutations: list[tuple[int, str]] = field(default_factory=list)  # (number, mutation)
    fail_with: int | None = None  # answer every request with this HTTP status

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        variables = request.get("variables") or {}
        if request.get("operationName") == "getDossier":
            found = self.dossiers.get(int(variables["dossierNumber"]))
            if found is None:
                return {"data": {"dossier": None},
                        "errors": [{"message": "Dossier not found"}]}
            return {"data": {"dossier": found}}
        if request.get("operationName") == "getDemarche":
            return {"data": {"demarche": self._page(variables)}}
        if request.get("operationName") == "getDossierState":
            found = self.dossiers.get(int(variables["dossierNumber"]))
            if found is None:
                return {"data": {"dossier": None}, "errors": [{"message": "Dossier not found"}]}
            return {"data": {"dossier": {k: found[k] for k in ("id", "number", "state")}}}
        name = str(request.get("operationName"))
        if name in MUTATIONS:
            if f"mutation {name}($input: {name[0].upper()}{name[1:]}Input!)" not in str(
                    request.get("query")):
                return {"errors": [{"message": f"Field '{name}' malformed"}]}
            return {"data": {name: self._mutate(name, variables.get("input") or {})}}
        return {"errors": [{"message": "unknown operation"}]}

    def _mutate(self, name: str, given: dict[str, Any]) -> dict[str, Any]:
        found = next((d for d in self.dossiers.values() if d["id"] == given.get("dossierId")),
                     None)
        from_state, to_state, needs_motivation = MUTATIONS[name]
        if found is None:
            error = "Dossier introuvable"
        elif given.get("instructeurId") not in self.instructeurs:
            error = "Instructeur inconnu ou sans accès au dossier"
        elif needs_motivation and not str(given.get("motivation") or "").strip():
            error = "La motivation est obligatoire"
        elif found["state"] not in from_state:
            error = f"Le dossier est déjà {found['state']}"
        else:
            found["state"] = to_state
            found["motivation"] = given.get("motivation")
            self.mutations.append((found["number"], name))
            return {"dossier": {"id": found["id"], "state": to_state}, "errors": None}
        return {"dossier": None, "errors": [{"message": error}]}

    def _page(self, variables: dict[str, Any]) -> dict[str, Any]:
        number = int(variables["demarcheNumber"])
        since = variables.get("updatedSince")
        nodes = sorted(
            (d for d in self.dossiers.values() if d["demarche"]["number"] == number and (
                since is None or datetime.fromisoformat(d["dateDerniereModification"])
                >= datetime.fromisoformat(since))),
            key=lambda d: (d["dateDerniereModification"], d["number"]))
        start = int(base64.b64decode(variables["after"])) if variables.get("after") else 0
        size = min(int(variables.get("first") or 100), self.page_size)
        page = nodes[start:start + size]
        end = base64.b64encode(str(start + len(page)).encode()).decode()
        return {"number": number, "title": "Démarche", "dossiers": {
            "pageInfo": {"hasNextPage": start + size < len(nodes), "endCursor": end},
            "nodes": page}}


TERMINAL = ("accepte", "refuse", "sans_suite")
MUTATIONS: dict[str, tuple[tuple[str, ...], str, bool]] = {  # from, to, motivation required
    "dossierPasserEnInstruction": (("en_construction",), "en_instruction", False),
    "dossierRepasserEnInstruction": (TERMINAL, "en_instruction", False),
    "dossierAccepter": (("en_instruction",), "accepte", False),
    "dossierRefuser": (("en_instruction",), "refuse", True),
    "dossierClasserSansSuite": (("en_instruction",), "sans_suite", True),
}


def dossier(number: int, *, state: str = "en_construction", demarche: int = 4242,
            updated: str = "2026-11-30T10:00:00+01:00", prenom: str = "Camille",
            nom: str = "Durand") -> dict[str, Any]:
    return {
        "id": base64.b64encode(f"Dossier-{number}".encode()).decode(), "number": number,
        "state": state, "dateDepot": "2026-11-30T09:00:00+01:00",
        "dateDerniereModification": updated,
        "demarche": {"number": demarche, "title": "Inscription à la cantine scolaire"},
        "usager": {"email": f"{prenom.lower().replace(' ', '.')}@example.fr"},
        "demandeur": {"__typename": "PersonnePhysique", "civilite": "Mme", "nom": nom,
                      "prenom": prenom, "dateDeNaissance": "1984-03-12"},
        "champs": [{"id": "Q2hhbXAtMQ==", "label": "École", "stringValue": "École Jules Ferry"}],
    }


@contextlib.contextmanager
def running_ds(token: str) -> Iterator[Ds]:
    ds = Ds(token=token)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = json.loads(self.rfile.read(length))
            if ds.fail_with is not None:
                status, body = ds.fail_with, {"errors": [{"message": "panne"}]}
            elif self.path != "/api/v2/graphql":
                status, body = 404, {"errors": [{"message": "not found"}]}
            elif self.headers.get("authorization") != f"Bearer {ds.token}":
                status, body = 401, {"errors": [{"message": "Without a token, only "
                                                 "persisted queries are allowed"}]}
            else:
                ds.requests.append(request)
                status, body = 200, ds.answer(request)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ds.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ds
    finally:
        server.shutdown()
        server.server_close()
