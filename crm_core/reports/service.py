"""Reports from the roll-ups only: resolve the scope, read cells, build and suppress tables.

**Combining cells.** A published cell is usually the sum of many roll-up cells (days or
months of a period, sites, services). Counts add up; distinct residents do not (the same
person may be in several). The residents figure of a combination is therefore the
*largest* distinct count among its parts: a true lower bound (the union has at least as
many people as its largest part), exact for a single part. Suppressing on a lower bound
can only suppress more than an exact count would, never less. Calendar months and years
have cells of their own, so a monthly or yearly report by site or service reads exact
figures.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from crm_core.agents import service as agents
from crm_core.agents.actor import Actor
from crm_core.agents.models import Agent, Site
from crm_core.cases import service as cases
from crm_core.cases.models import Service
from crm_core.exceptions import InvalidInput, PermissionDenied
from crm_core.reports import labels
from crm_core.reports.models import ReportCell
from crm_core.reports.periods import decompose, next_month
from crm_core.reports.rollup import fold_pending
from crm_core.reports.schemas import Report
from crm_core.reports.suppression import suppress

REPORTS = ("channels", "journeys", "waiting", "calls", "themes")
MAX_PERIOD_DAYS = 3660
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class Scope:
    start: date
    end: date
    site: Site | None = None
    service: Service | None = None

    @property
    def site_label(self) -> str:
        return self.site.name if self.site else labels.ALL_SITES

    @property
    def service_label(self) -> str:
        return self.service.label if self.service else labels.ALL_SERVICES


def parse_month(text: str) -> tuple[date, date]:
    try:
        year, month = (int(part) for part in text.split("-"))
        start = date(year, month, 1)
    except ValueError as exc:
        raise InvalidInput(
            f"Mois illisible : « {text} » (attendu : AAAA-MM, par exemple 2026-10)",
            field="month",
        ) from exc
    return start, next_month(start) - timedelta(days=1)


def resolve_scope(
    *, db_session: Session, actor: Actor | None, start: date, end: date,
    site_code: str | None = None, service_code: str | None = None,
) -> Scope:
    """Check the period and the filters; a supervisor attached to a site sees that site."""
    if start > end:
        raise InvalidInput(
            f"Période inversée : le {start:%d/%m/%Y} est après le {end:%d/%m/%Y}", field="from"
        )
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput("Période trop longue : dix ans au plus", field="to")
    latest = datetime.now(UTC).date() + timedelta(days=366)
    if start < EARLIEST or end > latest:
        raise InvalidInput(
            f"Période hors limites : entre le {EARLIEST:%d/%m/%Y} et le {latest:%d/%m/%Y}",
            field="from" if start < EARLIEST else "to",
        )
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
    return Scope(start=start, end=end, site=site, service=service)


def _home_site(db_session: Session, actor: Actor | None) -> Site | None:
    if actor is None or actor.agent_id is None:
        return None  # the command line and the system see every site
    agent = db_session.get(Agent, actor.agent_id)
    return agent.site if agent is not None else None


@dataclass
class Agg:
    n: int = 0
    residents: int = 0
    sum1: float = 0.0
    sum2: float = 0.0
    ok: int = 0
    due: int = 0
    flag1: int = 0
    flag2: int = 0

    def add(self, cell: Any) -> None:
        self.n += cell.n
        self.residents = max(self.residents, cell.residents)
        self.sum1 += cell.sum1
        self.sum2 += cell.sum2
        self.ok += cell.ok
        self.due += cell.due
        self.flag1 += cell.flag1
        self.flag2 += cell.flag2


@dataclass
class Cells:
    rows: list[Any] = field(default_factory=list)

    def total(self, keep: Callable[[Any], bool] = lambda _: True) -> Agg:
        agg = Agg()
        for row in self.rows:
            if keep(row):
                agg.add(row)
        return agg

    def by(self, key: Callable[[Any], Hashable]) -> dict[Any, Agg]:
        groups: dict[Any, Agg] = {}
        for row in self.rows:
            groups.setdefault(key(row), Agg()).add(row)
        return groups


def read_cells(
    *, db_session: Session, kind: str, scope: Scope,
    parts: Iterable[tuple[str, date]] | None = None,
) -> Cells:
    """The roll-up cells of one kind covering the scope (never the raw tables)."""
    grains: dict[str, list[date]] = {}
    for grain, period in parts if parts is not None else decompose(scope.start, scope.end):
        grains.setdefault(grain, []).append(period)
    cell = ReportCell
    statement = select(
        cell.period, cell.site_id, cell.service_id, cell.channel, cell.detail, cell.n,
        cell.residents, cell.sum1, cell.sum2, cell.ok, cell.due, cell.flag1, cell.flag2,
    ).where(
        cell.kind == kind,
        or_(*(and_(cell.grain == g, cell.period.in_(ps)) for g, ps in grains.items())),
    )
    if scope.site is not None:
        statement = statement.where(cell.site_id == scope.site.id)
    if scope.service is not None:
        statement = statement.where(cell.service_id == scope.service.id)
    return Cells(list(db_session.execute(statement)))


def names(db_session: Session, model: Any, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    column = model.name if model is Site else model.label
    return dict(db_session.execute(select(model.id, column).where(model.id.in_(wanted))).all())


def build_report(
    *, db_session: Session, name: str, scope: Scope, fold: bool = True
) -> Report:
    """One report (or `month`: all of them), suppressed, ready to render."""
    from crm_core.reports.builders import BUILDERS

    if name != "month" and name not in BUILDERS:
        raise InvalidInput(
            f"Rapport inconnu : « {name} » (possibles : {', '.join((*REPORTS, 'month'))})",
            field="name",
        )
    if fold:  # the unfolded tail of the journal, so that the report is up to date
        fold_pending(db_session=db_session)
    wanted = REPORTS if name == "month" else (name,)
    tables = [table for key in wanted for table in BUILDERS[key](db_session, scope)]
    for table in tables:
        suppress(table)
    report = Report(
        name=name, title=labels.TITLES[name], start=scope.start, end=scope.end,
        site=scope.site_label, service=scope.service_label, tables=tables,
    )
    report.notes.append(labels.SUPPRESSION_NOTE)
    if report.empty:
        report.notes.insert(0, labels.EMPTY_NOTE)
    return report
