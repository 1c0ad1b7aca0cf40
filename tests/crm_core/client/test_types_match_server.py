"""The client's TypedDicts keep the keys of the server's response models: a field renamed
on the server fails here (and in mypy, in the apps that read it)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from crm_core.agents.schemas import MeOut, SiteOut
from crm_core.badges.schemas import BadgeIssued, BadgeOut
from crm_core.cases.schemas import CaseOut, ServiceOut
from crm_core.client import types
from crm_core.interactions.schemas import InteractionOut
from crm_core.queue.schemas import TicketOut
from crm_core.recognition.schemas import SearchOut, SearchResultOut
from crm_core.residents.schemas import (
    BadgeStatusOut,
    ContactPointOut,
    OpenCaseOut,
    ResidentOut,
    ResidentSummary,
    TimelineEntryOut,
)
from crm_core.telephony.schemas import CallbackOut, CallLogOut, CallOut

# Each TypedDict of crm_core.client.types with the model the server answers with.
PAIRS: list[tuple[Any, type[BaseModel]]] = [
    (types.Me, MeOut),
    (types.Site, SiteOut),
    (types.Service, ServiceOut),
    (types.Resident, ResidentOut),
    (types.ContactPoint, ContactPointOut),
    (types.OpenCase, OpenCaseOut),
    (types.TimelineEntry, TimelineEntryOut),
    (types.BadgeStatus, BadgeStatusOut),
    (types.ResidentSummary, ResidentSummary),
    (types.SearchResult, SearchResultOut),
    (types.SearchOutcome, SearchOut),
    (types.IssuedBadge, BadgeIssued),
    (types.Badge, BadgeOut),
    (types.Case, CaseOut),
    (types.Interaction, InteractionOut),
    (types.Ticket, TicketOut),
    (types.Call, CallOut),
    (types.CallLog, CallLogOut),
    (types.Callback, CallbackOut),
]
# Keys a TypedDict has beyond its model: added by the route to some answers only.
EXTRA = {types.ResidentSummary: {"matched_badge"}}


@pytest.mark.parametrize(("typed", "model"), PAIRS, ids=[t.__name__ for t, _ in PAIRS])
def test_typed_dict_has_the_keys_of_the_model(typed: Any, model: type[BaseModel]) -> None:
    # Every field of a response model is in the JSON, defaulted or not: all required.
    assert set(typed.__required_keys__) == set(model.model_fields)
    assert set(typed.__optional_keys__) == EXTRA.get(typed, set())


def test_every_typed_dict_is_checked() -> None:
    typed_dicts = {value for value in vars(types).values()
                   if isinstance(value, type) and hasattr(value, "__required_keys__")}
    assert typed_dicts - {typed for typed, _ in PAIRS} == {types.MatchedBadge}
