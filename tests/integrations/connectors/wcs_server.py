"""A small w.c.s. on 127.0.0.1: its forms API behind Publik signed URLs, written from the
documented scheme independently of `integrations.connectors.wcs.signing`."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit


def publik_sign(url: str, key: str, orig: str, *, nonce: str | None = None) -> str:
    """As Publik signs: orig, algo, timestamp, nonce (fresh each time), then the HMAC of
    that query."""
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + urlencode({"orig": orig})
    query += "&" + urlencode({"algo": "sha256",
                              "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                              "nonce": nonce or secrets.token_hex(16)})
    digest = hmac.new(key.encode(), query.encode(), hashlib.sha256).digest()
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{query}&signature=" + quote(
        base64.b64encode(digest))


def publik_check(query: str, key: str) -> bool:
    if "&signature=" not in query:
        return False
    signed, signature = query.rsplit("&signature=", 1)
    fields = parse_qs(signed)
    if fields.get("algo") != ["sha256"] or "nonce" not in fields or "timestamp" not in fields:
        return False
    when = datetime.strptime(fields["timestamp"][0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if abs((datetime.now(UTC) - when).total_seconds()) > 30:
        return False
    expected = hmac.new(key.encode(), signed.encode(), hashlib.sha256).digest()
    given = base64.b64decode(parse_qs("s=" + signature)["s"][0])
    return hmac.compare_digest(expected, given)


@dataclass
class Wcs:
    key: str
    url: str = ""
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    jumps: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    refused: int = 0
    origs: list[str] = field(default_factory=list)


def form_data(number: int = 12, *, status: str = "1", name_id: str = "a1b2c3") -> dict[str, Any]:
    """The JSON of w.c.s.'s `GET /api/forms/<slug>/<id>/`."""
    return {
        "id": f"demande-acte/{number}", "display_id": f"3-{number}",
        "display_name": f"Demande d'acte de naissance - n°3-{number}",
        "receipt_time": "2026-11-30T09:12:00", "last_update_time": "2026-11-30T09:12:05",
        "url": f"https://demarches.example/demande-acte/{number}/",
        "api_url": f"https://demarches.example/api/forms/demande-acte/{number}/",
        "user": {"id": 7, "name": "Camille Durand", "email": "camille.durand@example.fr",
                 "NameID": [name_id]},
        "fields": {"prenom": "Camille", "nom": "Durand", "date_naissance": "1984-03-12",
                   "type_acte": "Copie intégrale", "telephone": "06 12 34 56 78"},
        "workflow": {"status": {"id": status, "name": "Nouveau"}, "fields": {}},
        "submission": {"channel": "web", "backoffice": False},
    }


@contextlib.contextmanager
def running_wcs(key: str) -> Iterator[Wcs]:
    wcs = Wcs(key=key)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _checked(self) -> list[str] | None:
            parts = urlsplit(self.path)
            if not publik_check(parts.query, wcs.key):
                wcs.refused += 1
                self._answer(403, {"err": 1, "err_desc": "invalid signature"})
                return None
            wcs.origs.append(parse_qs(parts.query)["orig"][0])
            return [p for p in parts.path.split("/") if p]

        def do_GET(self) -> None:
            path = self._checked()
            if path is None:
                return
            if len(path) == 4 and path[:2] == ["api", "forms"]:
                form = wcs.forms.get(f"{path[2]}/{path[3]}")
                if form is None:
                    self._answer(404, {"err": 1, "err_desc": "no such form"})
                else:
                    self._answer(200, form)
                return
            self._answer(404, {"err": 1})

        def do_POST(self) -> None:
            path = self._checked()
            if path is None:
                return
            length = int(self.headers.get("content-length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            if len(path) == 7 and path[4:6] == ["jump", "trigger"]:
                wcs.jumps.append((f"{path[2]}/{path[3]}", path[6], payload))
                self._answer(200, {"err": 0, "url": None})
                return
            self._answer(404, {"err": 1})

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    wcs.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield wcs
    finally:
        server.shutdown()
        server.server_close()
