"""`/residents/search`, `/residents/duplicates`, `/residents/merges`: finding a resident,
spotting duplicates, merging and unmerging records.

Registered before the residents router so that these fixed paths win over
`/residents/{resident_id}`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Permission
from crm_core.api.deps import AppSettings, DbSession, ResidentFinder, require
from crm_core.api.responses import FastJSONResponse
from crm_core.bounds import BirthDate, check_instant
from crm_core.exceptions import InvalidInput
from crm_core.privacy import service as access_log
from crm_core.recognition import duplicates, merge
from crm_core.recognition.schemas import (
    DuplicateOut,
    MergeCreate,
    MergeOut,
    SearchOut,
    UnmergeCreate,
)
from crm_core.recognition.search import DEFAULT_LIMIT, MAX_LIMIT, SearchOutcome, search

router = APIRouter(prefix="/residents", tags=["recognition"])

REVIEW_DAYS = 30
ResidentMerger = Annotated[Actor, Depends(require(Permission.RESIDENT_MERGE))]


_Q_HELP = ("Names as heard, and/or a phone number or its last digits, an e-mail, a case "
           "reference, a birth date (JJ/MM/AAAA)")
_COMMUNE_HELP = ("INSEE code, postal code or name: ranks residents of that commune first "
                 "among equals")


@router.get("/search", response_class=FastJSONResponse, responses={200: {"model": SearchOut}})
def search_residents(
    db_session: DbSession, actor: ResidentFinder, settings: AppSettings,
    q: Annotated[str, Query(max_length=200, description=_Q_HELP)],
    birth_date: BirthDate | None = None,
    commune: Annotated[str | None, Query(max_length=100, description=_COMMUNE_HELP)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Any:
    """Ranked candidates with their score and the reasons of it. Identity only: opening one
    (its summary) is what the access log records. The apps use `POST /residents/search`,
    which keeps names and numbers out of the URL."""
    outcome = search(db_session=db_session, q=q, birth_date=birth_date, commune=commune,
                     limit=limit, phone_region=settings.default_phone_region)
    return _logged(db_session, actor, outcome)


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: Annotated[str, StringConstraints(max_length=200), Field(description=_Q_HELP)]
    birth_date: date | None = None
    commune: Annotated[str, StringConstraints(max_length=100),
                       Field(description=_COMMUNE_HELP)] | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT


@router.post("/search", response_class=FastJSONResponse,
             responses={200: {"model": SearchOut}})
def search_residents_in_body(
    db_session: DbSession, actor: ResidentFinder, settings: AppSettings, query: SearchQuery
) -> Any:
    """`GET /residents/search` with its criteria in a JSON body."""
    outcome = search(db_session=db_session, q=query.q, birth_date=query.birth_date,
                     commune=query.commune, limit=query.limit,
                     phone_region=settings.default_phone_region)
    return _logged(db_session, actor, outcome)


def _logged(db_session: DbSession, actor: Actor, outcome: SearchOutcome) -> Any:
    """One access-log row per search: the kinds of criterion understood, the count shown."""
    content = outcome.as_dict()
    db_session.rollback()  # nothing the search touched is kept
    query = outcome.query
    kinds = [kind for kind, given in (
        ("nom", query.names), ("naissance", query.birth_date),
        ("téléphone", query.phone_digits), ("e-mail", query.email or query.email_local),
        ("référence", query.references)) if given]
    access_log.record_search(db_session=db_session, actor=actor, criteria=kinds,
                             results=len(outcome.results))
    return FastJSONResponse(content)


@router.get("/duplicates", response_model=list[DuplicateOut])
def list_duplicates(
    db_session: DbSession, actor: ResidentMerger,
    min_weight: Annotated[float, Query(ge=-50, le=50)] = duplicates.POSSIBLE_WEIGHT,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    insee_code: Annotated[str | None, Query(pattern=r"^(\d{5}|2[AB]\d{3})$")] = None,
    since: Annotated[datetime | None, Query(
        description="Records created or changed since (default: 30 days ago)")] = None,
) -> Any:
    """Pairs of records that probably describe the same person, strongest first, around
    the records created or changed since `since`. The whole register: the command line
    (`relais residents duplicates`)."""
    since = since or datetime.now(UTC) - timedelta(days=REVIEW_DAYS)
    if since.tzinfo is None:  # documented: a naive `since` is UTC
        since = since.replace(tzinfo=UTC)
    try:
        check_instant(since)
    except ValueError as exc:
        raise InvalidInput(f"since : {exc}", field="since") from exc
    pairs = duplicates.find_duplicates(
        db_session=db_session, min_weight=min_weight, limit=limit, insee_code=insee_code,
        since=since,
    )
    db_session.rollback()
    return [pair.as_dict() for pair in pairs]


@router.get("/{resident_id}/duplicates", response_model=list[DuplicateOut])
def duplicates_of(
    db_session: DbSession, actor: ResidentFinder, resident_id: uuid.UUID,
    min_weight: Annotated[float, Query(ge=-50, le=50)] = duplicates.POSSIBLE_WEIGHT,
) -> Any:
    """Records that may describe the same person as this one (shown on their file)."""
    pairs = duplicates.duplicates_of(
        db_session=db_session, resident_id=resident_id, min_weight=min_weight
    )
    content = [pair.as_dict() for pair in pairs]
    db_session.rollback()
    access_log.record_search(db_session=db_session, actor=actor, criteria=["doublons"],
                             results=len(content))
    return content


@router.post("/merges", response_model=MergeOut, status_code=status.HTTP_201_CREATED)
def merge_residents(db_session: DbSession, actor: ResidentMerger, data: MergeCreate) -> Any:
    """Merge `merged_id` into `survivor_id`: its cases, contacts, contact points, account
    links and badges move; it remains as a pointer. Undo with `/merges/{id}/undo`."""
    record = merge.merge(
        db_session=db_session, actor=actor, survivor_id=data.survivor_id,
        merged_id=data.merged_id, reason=data.reason, take_fields=data.take_fields,
    )
    return merge.describe(db_session=db_session, merge_id=record.id)


@router.get("/merges/{merge_id}", response_model=MergeOut)
def read_merge(db_session: DbSession, actor: ResidentMerger, merge_id: uuid.UUID) -> Any:
    return merge.describe(db_session=db_session, merge_id=merge_id)


@router.post("/merges/{merge_id}/undo", response_model=MergeOut)
def unmerge_residents(
    db_session: DbSession, actor: ResidentMerger, merge_id: uuid.UUID, data: UnmergeCreate
) -> Any:
    """Give each record back exactly what it had before the merge."""
    merge.unmerge(db_session=db_session, actor=actor, merge_id=merge_id, reason=data.reason)
    return merge.describe(db_session=db_session, merge_id=merge_id)
