"""Every error Pydantic can raise reads in French, in the API and on the command line."""

from __future__ import annotations

import re
import typing
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core.core_schema import ErrorType

from crm_core.api import problems
from crm_core.reminders.enums import ReminderChannel
from crm_core.validation_messages import _MESSAGES, french_message

_ENGLISH = re.compile(r"\b(should|input|valid|must|field|required|expected|or)\b", re.I)


@pytest.mark.parametrize("kind", typing.get_args(ErrorType))
def test_each_pydantic_error_type_has_its_french_sentence(kind: str) -> None:
    assert kind in _MESSAGES
    message = french_message({"type": kind, "msg": "Input should be valid", "ctx": {}})
    assert message and not _ENGLISH.search(message), message
    assert "{" not in message  # a detail it lacks is dropped, not shown as a placeholder


class _Everything(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["done", "refused"]
    channel: ReminderChannel
    id: uuid.UUID
    day: date
    moment: AwareDatetime
    at: datetime
    count: Annotated[int, Field(ge=1, le=10)]
    ratio: Annotated[float, Field(gt=0, lt=1)]
    name: Annotated[str, Field(min_length=1, max_length=3)]
    flag: bool
    items: Annotated[list[int], Field(max_length=1)]


def test_a_walk_through_real_errors_reads_in_french() -> None:
    bad = {"status": "maybe", "channel": "pigeon", "id": "x", "day": "demain",
           "moment": "2026-12-07T10:00:00", "at": "hier", "count": 11, "ratio": 0,
           "name": "beaucoup trop", "flag": "peut-être", "items": [1, 2], "extra": 1}
    with pytest.raises(ValidationError) as caught:
        _Everything.model_validate(bad)
    with pytest.raises(ValidationError) as missing:
        _Everything.model_validate({})
    with pytest.raises(ValidationError) as unparsable:
        _Everything.model_validate_json("{pas du json")
    errors = [*caught.value.errors(), *missing.value.errors(), *unparsable.value.errors()]
    assert len(errors) >= 12 + 11 + 1
    for error in errors:
        message = french_message(error)
        assert not _ENGLISH.search(message), (error["type"], message)
    said = {e["loc"][0] if e["loc"] else "": french_message(e) for e in caught.value.errors()}
    assert said["status"] == "valeur non reconnue (attendu : 'done' ou 'refused')"
    assert said["count"] == "valeur trop grande (au plus 10 attendu)"
    assert said["name"] == "texte trop long (au plus 3 caractères)"
    assert said["extra"] == "champ inconnu"


def test_the_api_answers_a_bad_body_in_french() -> None:
    app = FastAPI()
    problems.install(app)

    @app.post("/close")
    def close(body: _Everything) -> None:
        raise AssertionError("never valid")

    with TestClient(app) as client:
        answer = client.post("/close", content=b"{pas du json",
                             headers={"content-type": "application/json"})
        assert answer.status_code == 422
        assert "JSON illisible" in answer.json()["detail"]
        answer = client.post("/close", json={"status": "maybe"})
    assert "status : valeur non reconnue (attendu : 'done' ou 'refused')" in \
        answer.json()["detail"]
    assert not _ENGLISH.search(answer.json()["detail"])


def test_numbers_in_messages_keep_their_thousands_apart() -> None:
    from crm_core.validation_messages import french_message

    assert french_message({"type": "string_too_long", "ctx": {"max_length": 2000}}) == (
        "texte trop long (au plus 2\u202f000 caractères)")


def test_a_part_of_the_address_is_named_in_french() -> None:
    """Outside test after issue 20: « path.call : identifiant invalide »."""
    from crm_core.validation_messages import field_of

    assert field_of({"loc": ("path", "call")}) == "identifiant d'appel"
    assert field_of({"loc": ("path", "ticket_id")}) == "identifiant de ticket"
    assert not field_of({"loc": ("path", "autre")}).startswith("path.")
    assert field_of({"loc": ("body", "due_at")}) == "due_at"
