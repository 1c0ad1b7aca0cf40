"""`POST /integrations/wcs/{source}`: a w.c.s. workflow's webservice call (signed URL),
with the form's data as body — or only its id (`{"id": "slug/12"}`), then fetched back
from the w.c.s. API with our own signed URL."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from sqlalchemy.exc import IntegrityError

from crm_core.api.deps import DbSession
from crm_core.exceptions import DomainError
from integrations.connectors.wcs.backend import HttpWcsBackend, WcsBackend, WcsError
from integrations.connectors.wcs.mapping import to_event_data
from integrations.connectors.wcs.signing import BadSignature, check_query
from integrations.deps import Config, RawBody
from integrations.exceptions import (
    EventIdReused,
    InvalidSignature,
    MalformedEvent,
    PlatformUnavailable,
    UnknownSource,
)
from integrations.inbound import service
from integrations.inbound.schemas import CaseEvent, IngestResult
from integrations.settings import SourceConfig

logger = logging.getLogger("relais.integrations")
router = APIRouter(prefix="/integrations", tags=["integrations"])


def wcs_backends() -> Callable[[SourceConfig], WcsBackend]:
    return HttpWcsBackend


WcsBackends = Annotated[Callable[[SourceConfig], WcsBackend], Depends(wcs_backends)]


def _form(body: bytes, config: SourceConfig, backends: WcsBackends) -> dict[str, Any]:
    try:
        form = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedEvent("Corps de l'appel w.c.s. : JSON invalide") from exc
    if isinstance(form, dict) and isinstance(form.get("data"), dict):
        form = form["data"]  # the API's envelope
    if not isinstance(form, dict) or not isinstance(form.get("id"), str):
        raise MalformedEvent("Appel w.c.s. sans identifiant de formulaire", field="id")
    if set(form) <= {"id", "display_id", "url", "api_url"}:  # a hint: fetch the data
        backend = backends(config)
        try:
            return backend.fetch_form(form["id"])
        except WcsError as exc:
            raise PlatformUnavailable(f"Lecture du formulaire w.c.s. impossible : {exc}") from exc
        finally:
            getattr(backend, "close", lambda: None)()
    return form


@router.post("/wcs/{source}", response_model=IngestResult)
def receive_wcs(
    source: str, request: Request, body: RawBody, db_session: DbSession, config: Config,
    backends: WcsBackends,
) -> IngestResult:
    try:
        found = config.webhook_sources.get(source)
        if found is None or found.kind != "wcs" or found.api_key is None:
            raise UnknownSource(f"Source w.c.s. inconnue : « {source[:50]} »")
        try:
            check_query(request.url.query, key=found.api_key.get_secret_value())
        except BadSignature as exc:
            raise InvalidSignature(f"URL signée w.c.s. refusée : {exc}") from exc
        form = _form(body, found, backends)
        data, updated = to_event_data(form, found)
        event = CaseEvent(type="case.updated", timestamp=datetime.now(UTC), data=data)
        delivery = service.Delivery(source=source, event_id=f"{data.id}@{updated.isoformat()}",
                                    body=orjson.dumps(form, option=orjson.OPT_SORT_KEYS))
        result = service.receive(db_session=db_session, delivery=delivery, event=event,
                                 default_service=found.default_service)
    except DomainError as exc:
        db_session.rollback()
        logger.warning("w.c.s. call refused from %s (%s): %s", source[:50], exc.code, exc.detail)
        raise
    try:
        db_session.commit()
    except IntegrityError as exc:  # the same version delivered twice at the same moment
        db_session.rollback()
        raise EventIdReused("Événement enregistré en parallèle, réessayez") from exc
    return result
