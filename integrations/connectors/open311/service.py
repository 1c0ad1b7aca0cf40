"""Open311 GeoReport v2 over the Relais catalogue and cases: reports from FixMaVille-style
apps become web cases; their public status is read back by the apps.

Only cases that came in through Open311 are listed, and never anything personal (no
names, e-mails or phones): GeoReport's request list is public by design.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.cases import reference as refs
from crm_core.cases import service as cases
from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case, Service
from crm_core.cases.schemas import CaseCreate
from crm_core.database.base import utcnow
from crm_core.interactions.enums import Channel
from integrations.matching import Identity, find_or_create
from integrations.models import Open311Request

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


def parse_report(form: dict[str, str]) -> Report:
    if not form.get("service_code"):
        raise Open311Error(400, "service_code est obligatoire")
    report = Report(
        service_code=form["service_code"][:50], first_name=form.get("first_name") or None,
        last_name=form.get("last_name") or None, email=form.get("email") or None,
        phone=form.get("phone") or None,
        description=(form.get("description") or "")[:4000] or None,
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
    if not (report.first_name and report.last_name):
        raise Open311Error(400, "first_name et last_name sont obligatoires : la demande "
                                "rejoint le dossier de la personne")
    return report


def submit(*, db_session: Session, source: str, report: Report) -> Case:
    definition(db_session, report.service_code)
    where = report.address_string or (
        f"{report.lat}, {report.long}" if report.lat is not None else report.address_id)
    assert report.first_name and report.last_name
    match = find_or_create(db_session=db_session, source=source, identity=Identity(
        given_name=report.first_name, family_name=report.last_name, email=report.email,
        phone=report.phone))
    case = cases.open_case(db_session=db_session, actor=SYSTEM, data=CaseCreate(
        resident_id=match.resident_id, service_code=report.service_code, channel=Channel.WEB,
        subject=f"Signalement : {where}"[:200],
        description=report.description, external_system=source,
        external_id=uuid.uuid4().hex,
    ))
    db_session.add(Open311Request(
        case_id=case.id, lat=report.lat, long=report.long, address_string=report.address_string,
        address_id=report.address_id, media_url=report.media_url, device_id=report.device_id,
        account_id=report.account_id,
    ))
    db_session.flush()
    return case


def _record(case: Case, where: Open311Request) -> dict[str, Any]:
    notes = next((h.note for h in reversed(case.history) if h.note), None)
    return {
        "service_request_id": refs.format_reference(case.reference),
        "status": "closed" if case.status in CLOSED else "open",
        "status_notes": notes, "service_name": case.service.label,
        "service_code": case.service.code, "description": case.description,
        "agency_responsible": None, "service_notice": None,
        "requested_datetime": case.opened_at.isoformat(),
        "updated_datetime": case.updated_at.isoformat(),
        "expected_datetime": (datetime.combine(case.due_date, datetime.min.time()).astimezone()
                              .isoformat() if case.due_date else None),
        "address": where.address_string, "address_id": where.address_id,
        "zipcode": where.zipcode, "lat": where.lat, "long": where.long,
        "media_url": where.media_url,
    }


def find(
    *, db_session: Session, source: str, ids: list[str] | None = None,
    service_code: str | None = None, status: str | None = None,
    start: datetime | None = None, end: datetime | None = None,
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
    return [_record(case, where) for case, where in db_session.execute(query).all()]
