"""`POST /integrations/wcs/{source}`: a w.c.s. workflow's webservice call (signed URL),
with the form's data as body — or only its id (`{"id": "slug/12"}`), then fetched back
from the w.c.s. API with our own signed URL."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request

from crm_core.api.deps import AppSettings, DbSession
from crm_core.exceptions import DomainError
from integrations.connectors.wcs.backend import HttpWcsBackend, WcsBackend, WcsError
from integrations.connectors.wcs.mapping import to_event_data, unmapped_status
from integrations.connectors.wcs.signing import MAX_SKEW, BadSignature, SignedQuery, check_query
from integrations.deps import Config, RawBody
from integrations.exceptions import (
    InvalidSignature,
    MalformedEvent,
    PlatformUnavailable,
    UnknownSource,
)
from integrations.inbound import nonces, service
from integrations.inbound.races import commit_delivery
from integrations.inbound.schemas import CaseEvent, IngestResult
from integrations.settings import SourceConfig

logger = logging.getLogger("relais.integrations")
router = APIRouter(prefix="/integrations", tags=["integrations"])


def wcs_backends() -> Callable[[SourceConfig], WcsBackend]:
    return HttpWcsBackend


WcsBackends = Annotated[Callable[[SourceConfig], WcsBackend], Depends(wcs_backends)]


def _signed(config: SourceConfig, query: str) -> SignedQuery:
    """The query string signed with the source's key (and not expired), or a refusal."""
    assert config.api_key is not None
    try:
        return check_query(query, key=config.api_key.get_secret_value())
    except BadSignature as exc:
        raise InvalidSignature(f"URL signée w.c.s. refusée : {exc}") from exc


def _spend(source: str, signed: SignedQuery, body: bytes, db_session: DbSession) -> None:
    """A validly signed URL serves once, whatever happens next: its nonce is recorded and
    committed before anything else is checked, so that no later refusal (orig, body,
    form) and no rollback of the request leaves it open to a retry with another body."""
    try:
        nonces.consume(db_session=db_session, source=source, nonce=signed.nonce,
                       body_sha256=hashlib.sha256(body).hexdigest(),
                       valid_until=signed.timestamp + MAX_SKEW, now=datetime.now(UTC))
    finally:
        db_session.commit()  # the purge of expired nonces, even when this one is refused


def _check_binding(config: SourceConfig, signed: SignedQuery, body: bytes) -> None:
    """`orig`, then the body bound by `body_sha256` (or a signed `form`, checked once the
    body is read)."""
    if not config.inbound_orig or not hmac.compare_digest(signed.orig.encode(),
                                                          config.inbound_orig.encode()):
        raise InvalidSignature("URL signée w.c.s. refusée : orig inattendu"
                               if config.inbound_orig else
                               "URL signée w.c.s. refusée : inbound_orig non configuré")
    digest = hashlib.sha256(body).hexdigest()
    bound = signed.fields.get("body_sha256")
    if bound is not None and not hmac.compare_digest(bound.lower().encode(), digest.encode()):
        raise InvalidSignature("URL signée w.c.s. refusée : le corps n'est pas celui signé")
    if config.require_body_binding and bound is None and "form" not in signed.fields:
        raise InvalidSignature("URL signée w.c.s. refusée : ni body_sha256 ni form signés")


def _form(body: bytes, config: SourceConfig, backends: WcsBackends,
          signed_form: str | None = None) -> dict[str, Any]:
    try:
        form = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedEvent("Corps de l'appel w.c.s. : JSON invalide") from exc
    if isinstance(form, dict) and isinstance(form.get("data"), dict):
        form = form["data"]  # the API's envelope
    if not isinstance(form, dict) or not isinstance(form.get("id"), str):
        raise MalformedEvent("Appel w.c.s. sans identifiant de formulaire", field="id")
    if signed_form is not None and form["id"] != signed_form:
        raise InvalidSignature("URL signée w.c.s. refusée : le corps parle d'un autre"
                               " formulaire que celui signé")
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
    backends: WcsBackends, settings: AppSettings,
) -> IngestResult:
    try:
        found = config.webhook_sources.get(source)
        if found is None or found.kind != "wcs" or found.api_key is None:
            raise UnknownSource(f"Source w.c.s. inconnue : « {source[:50]} »")
        signed = _signed(found, request.url.query)
        _spend(source, signed, body, db_session)
        _check_binding(found, signed, body)
        form = _form(body, found, backends, signed.fields.get("form"))
        data, updated = to_event_data(form, found, timezone=settings.timezone)
        event = CaseEvent(type="case.updated", timestamp=datetime.now(UTC), data=data)
        delivery = service.Delivery(source=source, event_id=f"{data.id}@{updated.isoformat()}",
                                    body=orjson.dumps(form, option=orjson.OPT_SORT_KEYS))
        result = commit_delivery(db_session, delivery, lambda: service.receive(
            db_session=db_session, delivery=delivery, event=event,
            default_service=found.default_service, timezone=settings.timezone,
            phone_region=settings.default_phone_region))
    except DomainError as exc:
        db_session.rollback()
        logger.warning("w.c.s. call refused from %s (%s): %s", source[:50], exc.code, exc.detail)
        raise
    if result.status == "created" and (unknown := unmapped_status(form, found)) is not None:
        # Created as `new` (as an update with such a status is taken as unchanged): the
        # supervisor reads why, and may add the status to `status_map`.
        logger.warning("statut w.c.s. « %s » inconnu de Relais (source %s) : dossier %s "
                       "créé comme nouveau", unknown, source[:50], result.case_reference)
    return result
