"""`POST /integrations/ds/{source}`: Démarches Simplifiées' webhook, taken as a hint."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from crm_core.api.deps import DbSession, app_settings
from crm_core.exceptions import DomainError
from crm_core.security import service as guard
from crm_core.security.enums import Bucket
from integrations.connectors.ds.backend import DsBackend, DsError, HttpDsBackend
from integrations.connectors.ds.service import dossier_delivery
from integrations.deps import Config
from integrations.exceptions import (
    MalformedEvent,
    PlatformUnavailable,
    UnknownSource,
    hiding,
)
from integrations.inbound import service as inbound
from integrations.inbound.races import commit_delivery
from integrations.inbound.schemas import IngestResult
from integrations.settings import SourceConfig

logger = logging.getLogger("relais.integrations")
router = APIRouter(prefix="/integrations", tags=["integrations"])


def ds_backends() -> Callable[[SourceConfig], DsBackend]:
    return HttpDsBackend


DsBackends = Annotated[Callable[[SourceConfig], DsBackend], Depends(ds_backends)]


def _throttle(request: Request, db_session: DbSession) -> None:
    """Unsigned, so anyone can call it: each call costs us an API read, so a flood from one
    address is cut (429), counted in the database for every API process."""
    policy = app_settings(request).security
    address = request.client.host if request.client else "inconnue"
    count = guard.throttle(db_session=db_session, bucket=Bucket.DS_HINT, key=address,
                           limit=policy.ds_hints_per_address,
                           window_seconds=policy.inbound_window_seconds)
    db_session.commit()  # counted even when refused below
    guard.refuse_if_over(count, policy.ds_hints_per_address, policy.inbound_window_seconds)


@router.post("/ds/{source}", response_model=IngestResult)
def receive_ds_hint(
    request: Request, source: str, db_session: DbSession, config: Config, backends: DsBackends,
    procedure_id: Annotated[str, Form(max_length=20)],
    dossier_id: Annotated[str, Form(max_length=20)],
    state: Annotated[str | None, Form(max_length=40)] = None,
    updated_at: Annotated[str | None, Form(max_length=40)] = None,
) -> IngestResult:
    """Unsigned: nothing in the hint is trusted — the dossier is read back from the API
    with our token, and only dossiers of the configured démarches are taken."""
    _throttle(request, db_session)
    settings = app_settings(request)
    try:
        found = config.webhook_sources.get(source)
        if found is None or found.kind != "ds":
            raise UnknownSource(f"Source Démarches Simplifiées inconnue : « {source[:50]} »")
        if not (procedure_id.isdigit() and dossier_id.isdigit()):
            raise MalformedEvent("procedure_id et dossier_id doivent être des nombres")
        if int(procedure_id) not in found.demarches:
            raise UnknownSource(f"Démarche {procedure_id} non suivie par Relais")
        try:
            backend = backends(found)
        except DsError as exc:
            raise hiding(exc, PlatformUnavailable(
                "Démarches Simplifiées est mal configuré ici")) from exc
        try:
            dossier = backend.dossier(int(dossier_id))
        except DsError as exc:  # the caller is anonymous: DS's words stay in the log
            raise hiding(exc, PlatformUnavailable(
                "Lecture du dossier impossible ; réessayez plus tard")) from exc
        finally:
            getattr(backend, "close", lambda: None)()
        if str((dossier.get("demarche") or {}).get("number")) != procedure_id:
            raise MalformedEvent("Ce dossier n'appartient pas à la démarche annoncée")
        delivery, event = dossier_delivery(source=source, config=found, dossier=dossier)
        result = commit_delivery(db_session, delivery, lambda: inbound.receive(
            db_session=db_session, delivery=delivery, event=event,
            default_service=found.default_service, timezone=settings.timezone,
            phone_region=settings.default_phone_region))
    except DomainError as exc:
        db_session.rollback()
        logger.warning("DS hint refused from %s (%s): %s", source[:50], exc.code, exc.detail)
        raise
    logger.info("DS hint %s/%s (%s, %s): %s", procedure_id, dossier_id, state, updated_at,
                result.status)
    return result
