"""`POST /integrations/webhooks/{source}`: Standard Webhooks in, cases out."""

from __future__ import annotations

import logging

import orjson
from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from crm_core.api.deps import DbSession, app_settings
from crm_core.config import Settings
from crm_core.exceptions import DomainError
from crm_core.validation_messages import french_errors, french_summary
from integrations.deps import Config, RawBody
from integrations.exceptions import MalformedEvent, UnknownSource
from integrations.inbound import service
from integrations.inbound.acks import InboxAckGroups
from integrations.inbound.races import commit_delivery
from integrations.inbound.schemas import CaseEvent, IngestResult
from integrations.settings import IntegrationSettings, SourceConfig
from integrations.webhooks import signature

logger = logging.getLogger("relais.integrations")
router = APIRouter(prefix="/integrations", tags=["integrations"])


def source_config(config: IntegrationSettings, source: str) -> SourceConfig:
    found = config.webhook_sources.get(source)
    if found is None:
        logger.warning("webhook refused: unknown source %r", source[:60])
        raise UnknownSource(f"Source d'événements inconnue : « {source[:50]} »")
    return found


def parse_event(body: bytes) -> CaseEvent:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedEvent("Corps de l'événement : JSON invalide") from exc
    try:
        return CaseEvent.model_validate(document)
    except ValidationError as exc:
        errors = french_errors(exc.errors(), skip=())
        raise MalformedEvent(f"Événement invalide — {french_summary(errors)}",
                             errors=errors) from exc


# The signature headers are read by `signature.verify` from the request itself; declared
# here for the API documentation only (as parameters, FastAPI parsed them on every call).
_SIGNATURE_HEADERS = {"parameters": [
    {"name": name, "in": "header", "required": True, "schema": {"type": "string"},
     "description": description}
    for name, description in (
        ("webhook-id", "Standard Webhooks : identifiant de l'événement (clé d'idempotence)"),
        ("webhook-timestamp", "Standard Webhooks : horodatage Unix (tolérance ± 5 min)"),
        ("webhook-signature", "Standard Webhooks : v1,<HMAC-SHA256 base64> (plusieurs "
                              "séparées par des espaces pendant une rotation)"),
    )
]}


@router.post("/webhooks/{source}", response_model=IngestResult, openapi_extra=_SIGNATURE_HEADERS,
             responses={202: {"model": IngestResult, "description": "Accepté, à traiter"}})
async def receive_webhook(
    source: str, request: Request, body: RawBody, db_session: DbSession, config: Config,
    acks: InboxAckGroups,
) -> IngestResult | Response:
    """A signed event from an e-services platform (Standard Webhooks). A redelivery of a
    known `webhook-id` is acknowledged without effect. A `deferred` source is answered 202
    once the event is verified and stored; `relais worker` applies it."""
    try:
        found = source_config(config, source)
        if found.kind != "standard":
            raise UnknownSource(f"La source « {source} » n'envoie pas d'événements génériques")
        event_id = signature.verify(
            secrets_=[s.get_secret_value() for s in found.secrets], body=body,
            headers=dict(request.headers),
        )
        event = parse_event(body)
        delivery = service.Delivery(source=source, event_id=event_id, body=body)
        if found.deferred:  # stored with the other requests waiting, on the event loop
            result = await acks.accept(delivery)
            logger.info("webhook %s from %s: %s", event_id, source, result.status)
            # Serialised here: the response model's validation of a result built by us
            # cost as much as the insert.
            return Response(result.model_dump_json(exclude_none=False),
                            status_code=202 if result.status == "accepted" else 200,
                            media_type="application/json")
    except DomainError as exc:
        _refused(source, exc)
        raise
    return await run_in_threadpool(
        _receive_now, db_session, delivery, event, found.default_service, app_settings(request))


def _refused(source: str, exc: DomainError) -> None:
    logger.warning("webhook refused from %s (%s): %s", source[:50], exc.code, exc.detail)


def _receive_now(
    db_session: Session, delivery: service.Delivery, event: CaseEvent,
    default_service: str | None, settings: Settings,
) -> IngestResult:
    """A source applied on receipt: the case and its timeline entry in one transaction."""
    try:
        result = commit_delivery(db_session, delivery, lambda: service.receive(
            db_session=db_session, delivery=delivery, event=event,
            default_service=default_service, timezone=settings.timezone,
            phone_region=settings.default_phone_region))
    except DomainError as exc:
        db_session.rollback()  # nothing half-written, whatever step refused
        _refused(delivery.source, exc)
        raise
    logger.info("webhook %s from %s: %s %s", delivery.event_id, delivery.source, result.status,
                result.case_reference)
    return result
