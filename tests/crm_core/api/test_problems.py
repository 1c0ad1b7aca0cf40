"""An unexpected error: a problem response in French for the client, its traceback in the
log for the operator."""

from __future__ import annotations

import logging
from typing import Annotated

import pytest
from fastapi import FastAPI, Form
from fastapi.testclient import TestClient

from crm_core.api import problems


def test_an_unexpected_error_is_logged_without_the_data_it_carried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The operator gets the type, the route's template, the frames and a reference the
    client also sees; never the exception's text or the path, where a resident's name,
    number or birth date would be."""
    app = FastAPI()
    problems.install(app)

    @app.get("/residents/{name}")
    def boom(name: str, born: str) -> None:
        raise KeyError(f"{name} née le {born}")

    with caplog.at_level(logging.DEBUG), TestClient(
            app, raise_server_exceptions=False) as client:
        answer = client.get("/residents/Durand", params={"born": "12/03/1984"})
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "internal_error"
    assert "Durand" not in answer.text  # nothing internal shown to the client
    [record] = [r for r in caplog.records if r.name == "relais.errors"]
    logged = record.getMessage()
    assert "KeyError" in logged and "/residents/{name}" in logged and "boom" in logged
    assert answer.json()["reference"] in logged
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("relais"))
    for personal in ("Durand", "1984"):
        assert personal not in ours
    assert record.exc_info is None  # a handler printing it would print the message


def test_an_unreadable_json_body_is_told_in_french() -> None:
    app = FastAPI()
    problems.install(app)

    @app.post("/echo")
    def echo(data: dict[str, int]) -> dict[str, int]:
        return data

    with TestClient(app) as client:
        answer = client.post("/echo", content=b'{"a": 1,', headers={
            "content-type": "application/json"})
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["field"] == "corps" and error["message"].startswith("JSON illisible")


PARAMETERS = ("+33612345678", "Acte de Mme Durand")


def test_nothing_reaches_the_server_to_log_with_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Starlette's last resort answers a 500 and then re-raises, for the server (uvicorn)
    to log the exception with its text: an IntegrityError quotes its SQL parameters there
    (outside test of issue 20). A raising test client shows whether anything gets out."""
    from sqlalchemy.exc import IntegrityError

    app = FastAPI()
    problems.install(app)

    @app.post("/integrity")
    def integrity() -> None:
        raise IntegrityError("INSERT INTO callback (phone, reason) VALUES (?, ?)",
                             PARAMETERS, Exception("FOREIGN KEY"))

    @app.post("/other")
    def other() -> None:
        raise KeyError(", ".join(PARAMETERS))  # the frames show the line, not the values

    with caplog.at_level(logging.DEBUG), TestClient(app) as client:  # raises what gets out
        conflict = client.post("/integrity")
        unexpected = client.post("/other")
    assert (conflict.status_code, conflict.json()["code"]) == (409, "integrity_conflict")
    assert "rien n'a été enregistré" in conflict.json()["detail"]
    assert (unexpected.status_code, unexpected.json()["code"]) == (500, "internal_error")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "IntegrityError" in logged and "KeyError" in logged
    for personal in ("612345678", "Durand"):
        assert personal not in logged
        assert personal not in conflict.text + unexpected.text


@pytest.mark.parametrize(("content", "content_type"), [
    (b'{"a": "\xff\xfe"}', "application/json"),  # not UTF-8: FastAPI's English 400
    (b"--x\r\nbroken", "multipart/form-data"),  # no boundary
])
def test_a_body_the_framework_cannot_parse_is_a_french_problem(
    content: bytes, content_type: str
) -> None:
    app = FastAPI()
    problems.install(app)

    @app.post("/echo")
    def echo(data: dict[str, str]) -> dict[str, str]:
        return data

    @app.post("/form")
    def form(name: Annotated[str, Form()] = "") -> str:
        return name

    path = "/form" if content_type.startswith("multipart") else "/echo"
    with TestClient(app) as client:
        answer = client.post(path, content=content, headers={"content-type": content_type})
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "error parsing" not in answer.text
    assert answer.json()["detail"].startswith("Le corps de la requête est illisible")


def test_framework_answers_are_french_whatever_their_status() -> None:
    app = FastAPI()
    problems.install(app)

    @app.get("/only-get")
    def only_get() -> None:
        return None

    with TestClient(app) as client:
        missing = client.get("/nowhere")
        wrong = client.post("/only-get")
        head = client.head("/only-get")
    assert missing.json()["detail"] == "Cette adresse n'existe pas dans l'API"
    assert wrong.status_code == 405
    assert wrong.json()["detail"] == "Cette méthode n'est pas permise sur cette adresse"
    assert wrong.headers["allow"] == "GET, HEAD"  # HEAD answered wherever GET is
    assert head.status_code == 200 and head.content == b""


def test_a_model_checked_inside_a_service_is_a_french_422(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Outside test after issue 20: a connector's subject with a tab passed the event's
    schema and broke `CaseCreate` deep in the service — a 500 at every retry. Any model
    validated inside a service is now a French 422, the input never quoted."""
    from pydantic import BaseModel

    from crm_core.text import SingleLine

    class Label(BaseModel):
        subject: Annotated[str, SingleLine]

    app = FastAPI()
    problems.install(app)

    @app.post("/deep")
    def deep() -> None:
        Label(subject="Acte de\tMme Durand")

    with caplog.at_level(logging.DEBUG), TestClient(app) as client:
        answer = client.post("/deep")
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "invalid_input"
    assert problem["errors"][0]["field"] == "subject"
    assert "une ligne" in problem["detail"] and "Durand" not in answer.text
    assert "Durand" not in caplog.text
