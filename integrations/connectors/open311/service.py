"""Open311 GeoReport v2 over the Relais catalogue and cases: reports from FixMaVille-style
apps become web cases; their public status is read back by the apps.

Only cases that came in through Open311 are listed, and never anything personal (no
names, e-mails or phones): GeoReport's request list is public by design.

A report without the reporter's names is anonymous (see `anonymous.py`). A retried POST
never opens a second case: with an `Idempotency-Key` header the key decides (the same key
with another report is refused); without one, the same report from the same client
within `RELAIS_OPEN311_DUPLICATE_WINDOW_SECONDS` is answered with the first one's id.
Both are remembered in the connectors' inbox, like webhook ids.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.cases import reference as refs
from crm_core.cases import service as cases
from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case, Service
from crm_core.cases.schemas import CaseCreate
from crm_core.channels import Channel
from crm_core.database.base import utcnow
from crm_core.text import free_text_problem, normalize_free_text
from integrations.connectors.open311.anonymous import anonymous_holder
from integrations.matching import Identity, find_or_create
from integrations.models import InboxEvent, Open311Request

CLOSED = {CaseStatus.RESOLVED, CaseStatus.CLOSED}
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def services(db_session: Session) -> list[dict[str, Any]]:
    return [
        {"service_code": s.code, "service_name": s.label,
         "description": f"Délai annoncé : {s.announced_delay_days} jours", "metadata": False,
         "type": "realtime", "keywords": "", "group": ""}
        for s in cases.list_services(db_session=db_session)
    ]


def definition(db_session: Session, code: str) -> dict[str, Any]:
    found = db_session.scalar(select(Service).where(Service.code == code, Service.active))
    if found is None:
        raise Open311Error(404, f"service_code inconnu : {code[:50]}")
    return {"service_code": found.code, "attributes": []}


@dataclass
class Report:
    service_code: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    description: str | None
    lat: float | None
    long: float | None
    address_string: str | None
    address_id: str | None
    media_url: str | None
    device_id: str | None
    account_id: str | None


def _float(form: dict[str, str], name: str, low: float, high: float) -> float | None:
    raw = form.get(name)
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise Open311Error(400, f"{name} doit être un nombre") from exc
    if not low <= value <= high:
        raise Open311Error(400, f"{name} hors limites")
    return value


def _description(raw: str | None) -> str | None:
    """The report's text as a case description would take it, or a 400 saying which
    character is refused (an override or an escape sequence would reach the agents)."""
    text = normalize_free_text(raw or "")[:4000]
    if (problem := free_text_problem(text)) is not None:
        raise Open311Error(400, f"description : {problem}")
    return text or None


def parse_report(form: dict[str, str]) -> Report:
    if not form.get("service_code"):
        raise Open311Error(400, "service_code est obligatoire")
    report = Report(
        service_code=form["service_code"][:50], first_name=form.get("first_name") or None,
        last_name=form.get("last_name") or None, email=form.get("email") or None,
        phone=form.get("phone") or None,
        description=_description(form.get("description")),
        lat=_float(form, "lat", -90, 90), long=_float(form, "long", -180, 180),
        address_string=(form.get("address_string") or "")[:300] or None,
        address_id=(form.get("address_id") or "")[:100] or None,
        media_url=(form.get("media_url") or "")[:500] or None,
        device_id=(form.get("device_id") or "")[:100] or None,
        account_id=(form.get("account_id") or "")[:100] or None,
    )
    if (report.lat is None) != (report.long is None):
        raise Open311Error(400, "lat et long vont ensemble")
    if report.lat is None and not report.address_string and not report.address_id:
        raise Open311Error(400, "Une localisation est obligatoire : lat et long, "
                                "address_string ou address_id")
    if bool(report.first_name) != bool(report.last_name):
        raise Open311Error(400, "first_name et last_name vont ensemble (ou aucun des deux "
                                "pour un signalement anonyme)")
    return report


@dataclass
class Submitted:
    case: Case
    replayed: bool = False  # a retry of a report already received: nothing new written
    anonymous: bool = False


def fingerprint(report: Report) -> str:
    return hashlib.sha256(orjson.dumps(dataclasses.asdict(report),
                                       option=orjson.OPT_SORT_KEYS)).hexdigest()


def _memo_id(client: str, idempotency_key: str | None, digest: str) -> str:
    if idempotency_key:
        return f"open311-key:{client}:{idempotency_key}"
    return f"open311-report:{client}:{digest}"


def earlier(
    *, db_session: Session, source: str, client: str, report: Report,
    idempotency_key: str | None, window: timedelta,
) -> Case | None:
    """The case a previous POST of this report opened, if this POST is its retry."""
    digest = fingerprint(report)
    memo = db_session.scalar(select(InboxEvent).where(
        InboxEvent.source == source,
        InboxEvent.event_id == _memo_id(client, idempotency_key, digest)))
    if memo is None or memo.case_id is None:
        return None
    if idempotency_key and memo.body_sha256 != digest:
        raise Open311Error(422, "Idempotency-Key déjà utilisée pour un autre signalement")
    if not idempotency_key and memo.received_at < utcnow() - window:
        return None  # the same report much later: a new one
    return db_session.get(Case, memo.case_id)


class ReportTwin(Exception):
    """A concurrent twin of this POST committed first: roll back, answer with its case."""


def _remember(
    db_session: Session, *, source: str, client: str, report: Report,
    idempotency_key: str | None, case: Case, window: timedelta,
) -> None:
    """Last write of the POST: a concurrent twin fails here, on the unique key (both
    inserting) or on finding the other's fresh memo (it committed in between)."""
    digest = fingerprint(report)
    event_id = _memo_id(client, idempotency_key, digest)
    memo = db_session.scalar(select(InboxEvent).where(
        InboxEvent.source == source, InboxEvent.event_id == event_id))
    if memo is not None and (idempotency_key or memo.received_at >= utcnow() - window):
        raise ReportTwin(event_id)
    if memo is None:
        db_session.add(InboxEvent(source=source, event_id=event_id, body_sha256=digest,
                                  case_id=case.id))
    else:  # the same report outside the window: the memo now points at the new case
        memo.case_id, memo.received_at = case.id, utcnow()
    db_session.flush()


def submit(
    *, db_session: Session, source: str, report: Report, client: str, timezone: str,
    phone_region: str, idempotency_key: str | None = None,
    window: timedelta = timedelta(minutes=10),
) -> Submitted:
    """`timezone` and `phone_region`: the city's, for the case and the resident."""
    definition(db_session, report.service_code)
    found = earlier(db_session=db_session, source=source, client=client, report=report,
                    idempotency_key=idempotency_key, window=window)
    if found is not None:
        return Submitted(found, replayed=True)
    where = report.address_string or (
        f"{report.lat}, {report.long}" if report.lat is not None else report.address_id)
    anonymous = not (report.first_name and report.last_name)
    if anonymous:
        resident_id = anonymous_holder(db_session=db_session, source=source)
    else:
        assert report.first_name and report.last_name
        resident_id = find_or_create(db_session=db_session, source=source, identity=Identity(
            given_name=report.first_name, family_name=report.last_name, email=report.email,
            phone=report.phone), phone_region=phone_region).resident_id
    case = cases.open_case(db_session=db_session, actor=SYSTEM, timezone=timezone, data=CaseCreate(
        resident_id=resident_id, service_code=report.service_code, channel=Channel.WEB,
        subject=f"Signalement{' anonyme' if anonymous else ''} : {where}"[:200],
        description=report.description, external_system=source,
        external_id=uuid.uuid4().hex,
    ))
    db_session.add(Open311Request(
        case_id=case.id, lat=report.lat, long=report.long, address_string=report.address_string,
        address_id=report.address_id, media_url=report.media_url, device_id=report.device_id,
        account_id=report.account_id,
    ))
    db_session.flush()
    _remember(db_session, source=source, client=client, report=report,
              idempotency_key=idempotency_key, case=case, window=window)
    return Submitted(case, anonymous=anonymous)


def _city_midnight(day: date | None, timezone: str) -> str | None:
    """A due date as the instant its day starts in the city (`timezone`, not the server's)."""
    if day is None:
        return None
    return datetime.combine(day, time.min, ZoneInfo(timezone)).isoformat()


def _record(case: Case, where: Open311Request, timezone: str) -> dict[str, Any]:
    notes = next((h.note for h in reversed(case.history) if h.note), None)
    return {
        "service_request_id": refs.format_reference(case.reference),
        "status": "closed" if case.status in CLOSED else "open",
        "status_notes": notes, "service_name": case.service.label,
        "service_code": case.service.code, "description": case.description,
        "agency_responsible": None, "service_notice": None,
        "requested_datetime": case.opened_at.isoformat(),
        "updated_datetime": case.updated_at.isoformat(),
        "expected_datetime": _city_midnight(case.due_date, timezone),
        "address": where.address_string, "address_id": where.address_id,
        "zipcode": where.zipcode, "lat": where.lat, "long": where.long,
        "media_url": where.media_url,
    }


def find(
    *, db_session: Session, source: str, ids: list[str] | None = None,
    service_code: str | None = None, status: str | None = None,
    start: datetime | None = None, end: datetime | None = None, timezone: str,
) -> list[dict[str, Any]]:
    query = (select(Case, Open311Request).join(Open311Request, Open311Request.case_id == Case.id)
             .where(Case.external_system == source))
    if ids:
        query = query.where(Case.reference.in_([refs.normalize(i) for i in ids[:MAX_RESULTS]]))
    else:
        end = end or utcnow()
        start = start or end - DEFAULT_WINDOW
        query = query.where(Case.opened_at >= start, Case.opened_at <= end)
    if service_code:
        query = query.join(Service, Service.id == Case.service_id).where(
            Service.code == service_code)
    if status == "open":
        query = query.where(Case.status.not_in(CLOSED))
    elif status == "closed":
        query = query.where(Case.status.in_(CLOSED))
    query = query.order_by(Case.opened_at.desc()).limit(MAX_RESULTS)
    return [_record(case, where, timezone) for case, where in db_session.execute(query).all()]
