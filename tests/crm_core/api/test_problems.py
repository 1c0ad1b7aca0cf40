"""An unexpected error: a problem response in French for the client, its traceback in the
log for the operator."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crm_core.api import problems


def test_an_unexpected_error_is_a_problem_and_its_traceback_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = FastAPI()
    problems.install(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("panne imprévue du module X")

    with caplog.at_level(logging.ERROR, logger="relais.errors"), TestClient(
            app, raise_server_exceptions=False) as client:
        answer = client.get("/boom")
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "internal_error"
    assert "panne imprévue" not in answer.text  # nothing internal shown to the client
    [record] = [r for r in caplog.records if r.name == "relais.errors"]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "panne imprévue du module X" in caplog.text
