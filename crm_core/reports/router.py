"""`GET /api/v1/reports/{name}` for supervisors: JSON, or CSV/XLSX/HTML/PNG on request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Permission
from crm_core.api.deps import AppSettings, DbSession, require
from crm_core.bounds import Day
from crm_core.exceptions import InvalidInput
from crm_core.reports import service
from crm_core.reports.render import FORMATS, render
from crm_core.text import echoed

router = APIRouter(prefix="/reports", tags=["reports"])
ReportReader = Annotated[Actor, Depends(require(Permission.REPORT_READ))]
_BY_MEDIA = {media.split(";")[0]: fmt for fmt, media in FORMATS.items()}


def negotiate(fmt: str | None, accept: str) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise InvalidInput(
                f"Format inconnu : « {echoed(fmt)} » (possibles : {', '.join(FORMATS)})",
                field="format",
            )
        return fmt
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in _BY_MEDIA:
            return _BY_MEDIA[media]
    return "json"


@router.get(
    "/{name}",
    responses={200: {"content": {media: {} for media in FORMATS.values()}}},
    summary="A supervisors' report (channels, journeys, waiting, calls, themes, month)",
)
def get_report(
    name: str, request: Request, db_session: DbSession, actor: ReportReader,
    settings: AppSettings,
    start: Annotated[Day | None, Query(alias="from", description="Premier jour")] = None,
    end: Annotated[Day | None, Query(alias="to", description="Dernier jour")] = None,
    month: Annotated[str | None, Query(description="AAAA-MM, au lieu de from/to")] = None,
    site: Annotated[str | None, Query(description="Code du site")] = None,
    service_code: Annotated[str | None, Query(alias="service")] = None,
    fmt: Annotated[str | None, Query(alias="format")] = None,
) -> Response:
    chosen = negotiate(fmt, request.headers.get("accept", ""))
    if month is not None:
        start, end = service.parse_month(month)
    if start is None or end is None:
        raise InvalidInput("Précisez la période : from et to (AAAA-MM-JJ) ou month (AAAA-MM)",
                           field="from")
    scope = service.resolve_scope(
        db_session=db_session, actor=actor, start=start, end=end,
        timezone=settings.timezone, site_code=site, service_code=service_code,
    )
    report = service.build_report(db_session=db_session, name=name, scope=scope)
    body = render(report, chosen)
    headers = {}
    if chosen != "json":
        filename = f"rapport-{name}-{scope.start}-{scope.end}.{chosen}"
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body, media_type=FORMATS[chosen], headers=headers)
