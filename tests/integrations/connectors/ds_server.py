"""A small Démarches Simplifiées on 127.0.0.1: `POST /api/v2/graphql` with a bearer token,
answering the `getDossier` and `getDemarche` operations in the API's shapes (dossier
nodes, `pageInfo { hasNextPage endCursor }`, `errors` on failure), `updatedSince` and
cursor paging included. Pages hold at most `page_size` dossiers to exercise paging."""

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
        return {"errors": [{"message": "unknown operation"}]}

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


def dossier(number: int, *, state: str = "en_construction", demarche: int = 4242,
            updated: str = "2026-11-30T10:00:00+01:00", prenom: str = "Camille",
            nom: str = "Durand") -> dict[str, Any]:
    return {
        "id": base64.b64encode(f"Dossier-{number}".encode()).decode(), "number": number,
        "state": state, "dateDepot": "2026-11-30T09:00:00+01:00",
        "dateDerniereModification": updated,
        "demarche": {"number": demarche, "title": "Inscription à la cantine scolaire"},
        "usager": {"email": f"{prenom.lower()}@example.fr"},
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
            if self.path != "/api/v2/graphql":
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
