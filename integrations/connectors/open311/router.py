"""Open311 GeoReport v2 at `/open311/v2/`: services, service definitions, requests."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response

from crm_core.api.deps import DbSession, app_settings
from crm_core.bounds import check_instant
from crm_core.cases.reference import format_reference
from crm_core.exceptions import DomainError
from crm_core.security import service as guard
from crm_core.security.enums import Bucket
from integrations.connectors.open311 import service
from integrations.connectors.open311.formats import error, render, render_one
from integrations.connectors.open311.service import Open311Error
from integrations.deps import Config
from integrations.settings import IntegrationSettings

logger = logging.getLogger("relais.integrations")
router = APIRouter(prefix="/open311/v2", tags=["open311"])
FORMATS = ("json", "xml")


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, "Format inconnu : .json ou .xml")
    return fmt


def _jurisdiction(config: IntegrationSettings, value: str | None) -> None:
    if value and value != config.open311_jurisdiction:
        raise Open311Error(404, f"jurisdiction_id inconnu : {value[:50]}")


def _date(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} : date ISO 8601 attendue") from exc
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name} : fuseau horaire manquant")
    try:
        return check_instant(moment)
    except ValueError as exc:
        raise Open311Error(400, f"{name} : {exc}") from exc


def _refused(exc: Open311Error | DomainError, fmt: str) -> Response:
    if isinstance(exc, Open311Error):
        logger.warning("open311 refused (%s): %s", exc.status, exc.description)
        return error(exc.status, exc.description, fmt)
    logger.warning("open311 refused (%s): %s", exc.code, exc.detail)
    return error(400 if exc.status == 422 else exc.status, exc.detail, fmt)  # GeoReport: 400


@router.get("/services.{fmt}")
def list_services(fmt: str, request: Request, db_session: DbSession, config: Config) -> Response:
    chosen = fmt if fmt in FORMATS else "json"
    try:
        _format(fmt)
        _jurisdiction(config, request.query_params.get("jurisdiction_id"))
        return render(service.services(db_session), item="service", fmt=chosen)
    except Open311Error as exc:
        return _refused(exc, chosen)


@router.get("/services/{code}.{fmt}")
def service_definition(
    code: str, fmt: str, request: Request, db_session: DbSession, config: Config
) -> Response:
    chosen = fmt if fmt in FORMATS else "json"
    try:
        _format(fmt)
        _jurisdiction(config, request.query_params.get("jurisdiction_id"))
        return render_one(service.definition(db_session, code), item="service_definition",
                          fmt=chosen)
    except Open311Error as exc:
        return _refused(exc, chosen)


async def form_fields(request: Request) -> dict[str, str]:
    """The form-encoded body, read without FastAPI's validation (errors in Open311 shape)."""
    try:
        return {k: str(v) for k, v in (await request.form()).items()}
    except Exception:  # a body that is not a form: no field at all
        return {}


def _client(config: IntegrationSettings, key: str) -> str:
    """Which app is calling (a digest of its api_key, never the key itself)."""
    for known in config.open311_api_keys:
        if hmac.compare_digest(key.encode(), known.get_secret_value().encode()):
            return hashlib.sha256(known.get_secret_value().encode()).hexdigest()[:16]
    raise Open311Error(403, "api_key absente ou invalide")


def _idempotency_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > 200 or not key.isprintable():
        raise Open311Error(400, "Idempotency-Key invalide : 1 à 200 caractères imprimables")
    return key


NOTICES = {"replayed": "Signalement déjà reçu : voici son numéro de suivi",
           "anonymous": "Signalement anonyme : suivez-le avec son numéro"}


@router.post("/requests.{fmt}")
def post_request(
    request: Request, fmt: str, db_session: DbSession, config: Config,
    form: Annotated[dict[str, str], Depends(form_fields)],
    idempotency_key: Annotated[str | None, Header(
        description="Optional: a retry with the same key never opens a second case")] = None,
) -> Response:
    """A report. Without the reporter's names it is anonymous; a retried POST (same
    `Idempotency-Key`, or the same report within the duplicate window) gets the first
    one's `service_request_id` back and writes nothing."""
    chosen = fmt if fmt in FORMATS else "json"
    settings = app_settings(request)
    policy = settings.security
    address = request.client.host if request.client else "inconnue"
    count = guard.throttle(db_session=db_session, bucket=Bucket.OPEN311_POST, key=address,
                           limit=policy.open311_posts_per_address,
                           window_seconds=policy.inbound_window_seconds)
    db_session.commit()  # counted even when refused below
    guard.refuse_if_over(count, policy.open311_posts_per_address,
                         policy.inbound_window_seconds)
    try:
        _format(fmt)
        client = _client(config, form.get("api_key", ""))
        _jurisdiction(config, form.get("jurisdiction_id"))
        key = _idempotency_key(idempotency_key)
        report = service.parse_report(form)
        window = timedelta(seconds=config.open311_duplicate_window_seconds)
        source = config.open311_source
        try:
            submitted = service.submit(db_session=db_session, source=source, report=report,
                                       client=client, idempotency_key=key, window=window,
                                       timezone=settings.timezone,
                                       phone_region=settings.default_phone_region)
            # Now, not at the route's end: a twin that committed first is a replay.
            db_session.commit()
        except (IntegrityError, service.ReportTwin):  # a concurrent twin committed first
            db_session.rollback()
            found = service.earlier(db_session=db_session, source=source, report=report,
                                    client=client, idempotency_key=key, window=window)
            if found is None:
                raise Open311Error(409, "Signalement enregistré en parallèle, réessayez") \
                    from None
            submitted = service.Submitted(found, replayed=True)
        reference = format_reference(submitted.case.reference)
    except (Open311Error, DomainError) as exc:
        db_session.rollback()
        return _refused(exc, chosen)
    notice = NOTICES["replayed"] if submitted.replayed else (
        NOTICES["anonymous"] if submitted.anonymous else None)
    logger.info("open311 request %s %s", reference,
                "replayed" if submitted.replayed else "created")
    return render([{"service_request_id": reference, "service_notice": notice,
                    "account_id": report.account_id}], item="request", fmt=chosen, status=201)


@router.get("/requests.{fmt}")
def get_requests(fmt: str, request: Request, db_session: DbSession, config: Config) -> Response:
    chosen = fmt if fmt in FORMATS else "json"
    params = request.query_params
    try:
        _format(fmt)
        _jurisdiction(config, params.get("jurisdiction_id"))
        status = params.get("status")
        if status not in (None, "", "open", "closed"):
            raise Open311Error(400, "status : open ou closed")
        ids = [i for i in (params.get("service_request_id") or "").split(",") if i.strip()]
        records = service.find(
            db_session=db_session, source=config.open311_source, ids=ids or None,
            service_code=params.get("service_code") or None, status=status or None,
            start=_date(params.get("start_date"), "start_date"),
            end=_date(params.get("end_date"), "end_date"),
            timezone=app_settings(request).timezone,
        )
    except (Open311Error, DomainError) as exc:
        return _refused(exc, chosen)
    return render(records, item="request", fmt=chosen)


@router.get("/requests/{request_id}.{fmt}")
def get_request(
    request_id: str, fmt: str, request: Request, db_session: DbSession, config: Config
) -> Response:
    chosen = fmt if fmt in FORMATS else "json"
    try:
        _format(fmt)
        _jurisdiction(config, request.query_params.get("jurisdiction_id"))
        records = service.find(db_session=db_session, source=config.open311_source,
                               ids=[request_id], timezone=app_settings(request).timezone)
        if not records:
            raise Open311Error(404, f"service_request_id inconnu : {request_id[:20]}")
    except (Open311Error, DomainError) as exc:
        return _refused(exc, chosen)
    return render(records, item="request", fmt=chosen)
