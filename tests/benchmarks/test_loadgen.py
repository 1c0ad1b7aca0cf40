"""The load generator times 200s and counts the rest by status, against a real server."""

from __future__ import annotations

from benchmarks.loadgen import run_load
from crm_core.client import RelaisClient
from tests.support.live_server import LiveServer


def test_answers_are_timed_or_counted_by_status(live_server: LiveServer) -> None:
    with RelaisClient(live_server.url) as client:
        token = str(client.sign_in("accueil", "secret-pass")["access_token"])
    host, port = live_server.url.removeprefix("http://").split(":")
    paths = ["/api/v1/health", "/api/v1/residents/00000000-0000-4000-8000-000000000000/summary"]
    result = run_load(host=host, port=int(port), paths=paths, token=token, total=10,
                      concurrency=2)
    assert len(result.latencies_ms) == 5 and result.throughput > 0
    assert (result.errors, result.error_statuses) == (5, {"404": 5})
    assert result.errors_text() == "5 (404×5)"
