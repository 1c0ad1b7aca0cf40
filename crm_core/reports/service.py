"""Reports from the roll-ups: resolve the scope, build and suppress tables (the cells are
read and combined in `crm_core.reports.query`)."""

from __future__ import annotations

from datetime import MAXYEAR, date, timedelta

from sqlalchemy.orm import Session

from crm_core.agents import service as agents
from crm_core.agents.actor import Actor
from crm_core.agents.models import Agent, Site
from crm_core.cases import service as cases
from crm_core.cases.models import Service
from crm_core.config import city_today
from crm_core.exceptions import InvalidInput, PermissionDenied
from crm_core.reports import labels
from crm_core.reports.builders import BUILDERS, READS
from crm_core.reports.periods import latest_report_day, next_month
from crm_core.reports.query import Scope, clear_prefetched, prefetch
from crm_core.reports.rollup import fold_all
from crm_core.reports.schemas import Report
from crm_core.reports.suppression import suppress
from crm_core.text import echoed

REPORTS = ("channels", "journeys", "waiting", "calls", "themes")
MAX_PERIOD_YEARS = 10
EARLIEST = date(2000, 1, 1)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return date(day.year + years, 3, 1)


def _check_bounds(start: date, end: date, today: date) -> None:
    latest = latest_report_day(today)
    if start < EARLIEST or end > latest:
        raise InvalidInput(
            f"Période hors limites : entre le {EARLIEST:%d/%m/%Y} et le {latest:%d/%m/%Y}",
            field="from" if start < EARLIEST else "to",
        )


def parse_month(text: str) -> tuple[date, date]:
    try:
        year, month = (int(part) for part in text.split("-"))
        start = date(year, month, 1)
    except ValueError as exc:
        raise InvalidInput(
            f"Mois illisible : « {echoed(text)} » (attendu : AAAA-MM, par exemple 2026-10)",
            field="month",
        ) from exc
    if start.year >= MAXYEAR:  # its end would be in year 10000, which has no date
        raise InvalidInput(f"Période hors limites : « {echoed(text)} » (le {EARLIEST:%d/%m/%Y} au "
                           "plus tôt, la fin de l'an prochain au plus tard)", field="month")
    return start, next_month(start) - timedelta(days=1)


def resolve_scope(
    *, db_session: Session, actor: Actor | None, start: date, end: date, timezone: str,
    site_code: str | None = None, service_code: str | None = None,
) -> Scope:
    """Check the period and the filters; a supervisor attached to a site sees that site.
    `timezone`: the city's, whose days the report counts."""
    if start > end:
        raise InvalidInput(
            f"Période inversée : le {start:%d/%m/%Y} est après le {end:%d/%m/%Y}", field="from"
        )
    _check_bounds(start, end, city_today(timezone))
    if end >= _years_after(start, MAX_PERIOD_YEARS):  # calendar years, leap days included
        raise InvalidInput("Période trop longue : dix ans au plus", field="to")
    site = agents.get_site_by_code(db_session=db_session, code=site_code) if site_code else None
    service = cases.get_service(db_session=db_session, code=service_code) if service_code else None
    home = _home_site(db_session, actor)
    if home is not None:
        if site is None:
            site = home
        elif site.id != home.id:
            raise PermissionDenied(
                f"Vos rapports portent sur le site « {home.name} » seulement", field="site"
            )
    return Scope(start=start, end=end, timezone=timezone, site=site, service=service)


def _home_site(db_session: Session, actor: Actor | None) -> Site | None:
    if actor is None or actor.agent_id is None:
        return None  # the command line and the system see every site
    agent = db_session.get(Agent, actor.agent_id)
    return agent.site if agent is not None else None


def build_report(
    *, db_session: Session, name: str, scope: Scope, fold: bool = True
) -> Report:
    """One report (or `month`: all of them), suppressed, ready to render."""
    if name != "month" and name not in BUILDERS:
        raise InvalidInput(
            f"Rapport inconnu : « {echoed(name)} » (possibles : {', '.join((*REPORTS, 'month'))})",
            field="name",
        )
    if fold:  # the unfolded tail of the journal, so that the report is up to date
        fold_all(db_session=db_session, timezone=scope.timezone)
    for model in (Site, Service):  # names read afresh for each report
        db_session.info.pop(f"report_names_{model.__name__}", None)
    wanted = REPORTS if name == "month" else (name,)
    prefetch(db_session=db_session, scope=scope,
             reads=[read for key in wanted for read in READS[key](db_session, scope)])
    try:
        tables = [table for key in wanted for table in BUILDERS[key](db_session, scope)]
    finally:
        clear_prefetched(db_session)
    for table in tables:
        suppress(table)
    report = Report(
        name=name, title=labels.TITLES[name], start=scope.start, end=scope.end,
        site=scope.site_label, service=scope.service_label, tables=tables,
    )
    report.notes.append(labels.SUPPRESSION_NOTE)
    if report.empty:
        report.notes.insert(0, labels.EMPTY_NOTE)
    today = city_today(scope.timezone)
    if scope.end >= today:  # the month (or period) runs on: say so before any figure
        report.complete = False
        report.notes.insert(0, labels.partial_note(name, today))
    return report
