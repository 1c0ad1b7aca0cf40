from __future__ import annotations

import gc
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crm_core.cases.models import Service
from crm_core.client import Ambiguous, ApiError, RelaisClient, ServerUnreachable
from crm_core.client.errors import ClientClosed, NotRelais
from tests.support.live_server import LiveServer, free_port


def test_client_against_a_real_server(live_server: LiveServer) -> None:
    with live_server.session() as session:
        session.add(Service(code="etat-civil", label="État civil", announced_delay_days=10))
        session.commit()
    with RelaisClient(live_server.url) as client:
        session_info = client.sign_in("accueil", "secret-pass")
        assert session_info["site_code"] == "hdv"
        assert client.me()["role"] == "counter"
        resident = client.create_resident(
            given_name="Loïc", family_name="Le Goff", phones=["06 11 22 33 44"]
        )
        case = client.open_case(
            resident_id=resident["id"], service_code="etat-civil", subject="Livret de famille"
        )
        assert case["origin_channel"] == "counter"
        client.update_case(case["reference"], status="resolved", note="Remis en main propre")
        summary = client.lookup(phone="+33611223344")
        assert summary["open_cases"] == []  # resolved is no longer open (issue 19)
        client.create_resident(given_name="Anne", family_name="Le Goff",
                               phones=["06 11 22 33 44"])
        with pytest.raises(Ambiguous) as ambiguous:
            client.lookup(phone="0611223344")
        assert len(ambiguous.value.candidates) == 2
        with pytest.raises(ApiError) as refused:
            client.update_case(case["reference"], status="new")
        assert refused.value.code == "invalid_transition"
        assert "ne peut pas passer" in refused.value.message
        client.sign_out()
        with pytest.raises(ApiError) as signed_out:
            client.services()
        assert signed_out.value.status == 401


def test_unreachable_server_is_one_clear_error() -> None:
    with RelaisClient(f"http://127.0.0.1:{free_port()}") as client, pytest.raises(
        ServerUnreachable, match="injoignable"
    ):
        client.health()


def _call_three_times(client: RelaisClient, refused: list[ClientClosed]) -> None:
    for _ in range(3):
        try:
            client.health()
        except ClientClosed as closed:
            refused.append(closed)
        except ServerUnreachable:
            pass


def test_closing_while_workers_call_leaves_no_connection_open(live_server: LiveServer) -> None:
    """The apps call from several thread workers; closing the client mid-call used to leave
    the socket being opened at that moment unclosed (httpx's pool forgot it)."""
    leaked: list[warnings.WarningMessage] = []
    for round_number in range(40):
        client = RelaisClient(live_server.url)
        refused: list[ClientClosed] = []
        workers = [threading.Thread(target=_call_three_times, args=(client, refused))
                   for _ in range(3)]
        for worker in workers:
            worker.start()
        time.sleep(0.001 * (round_number % 4))
        client.close()
        for worker in workers:
            worker.join()
        assert all("rien n'a été envoyé" in exc.message for exc in refused)
        del client, workers
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gc.collect()
        leaked += [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == []


class _Impostor(BaseHTTPRequestHandler):
    """Answers every GET with one fixed document: a proxy's page, or a JSON "ok"."""

    body = b""
    content_type = "text/html"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.mark.parametrize(("content_type", "body"), [
    ("text/html", b"<html>page du proxy</html>"),
    ("application/json", b'{"status": "ok"}'),
])
def test_something_that_is_not_relais_counts_as_no_server(content_type: str, body: bytes) -> None:
    """Outside test (issue 19): a maintenance page at the server's address crashed the counter
    on its health check, and a JSON "ok" to everything put it online, then crashed it."""
    handler = type("Impostor", (_Impostor,), {"body": body, "content_type": content_type})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with RelaisClient(f"http://127.0.0.1:{server.server_address[1]}") as client:
            for call in (client.health, client.sites, client.services):
                with pytest.raises(NotRelais, match="n'est pas celle d'un serveur Relais"):
                    call()
            with pytest.raises(ServerUnreachable):  # what the apps catch to go offline
                client.health()
    finally:
        server.shutdown()
        server.server_close()
